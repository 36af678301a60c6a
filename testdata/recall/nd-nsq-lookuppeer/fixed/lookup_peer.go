// Recall case nd-nsq-lookuppeer
// Source: github.com/nsqio/nsq commit 8b29ed971cbf0f64115caf2f331500536dbc9843 (nsq/lookup_peer.go)
// Link: https://github.com/nsqio/nsq/commit/8b29ed971cbf0f64115caf2f331500536dbc9843
// Bug: LookupPeer.Read/Write call net.Conn Read/Write with no deadline, so LookupPeer.Command (PING/ANNOUNCE from nsqd's lookupRouter) blocks forever on a stalled nsqlookupd and the router loop never proceeds or exits.
// Fix: LookupPeer.Read sets conn.SetReadDeadline(now+1s) and LookupPeer.Write sets conn.SetWriteDeadline(now+1s) before each call.
// Rule: nodeadline
package nsq

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"log"
	"net"
	"strconv"
	"time"
)

var MagicV1 = []byte("  V1")

const (
	StateInit = iota
	StateDisconnected
	StateConnected
)

type Command struct {
	Name   []byte
	Params [][]byte
	Body   []byte
}

// Announce creates a new Command to announce the existence of
// a given topic and/or channel.
// NOTE: if channel == "." then it is considered n/a
func Announce(topic string, channel string, port int) *Command {
	var params = [][]byte{[]byte(topic), []byte(channel), []byte(strconv.Itoa(port))}
	return &Command{[]byte("ANNOUNCE"), params, nil}
}

// Ping creates a new Command to keep-alive the state of all the
// announced topic/channels for a given client
func Ping() *Command {
	return &Command{[]byte("PING"), nil, nil}
}

func ReadResponse(r io.Reader) ([]byte, error) {
	var err error
	var msgSize int32

	// message size
	err = binary.Read(r, binary.BigEndian, &msgSize)
	if err != nil {
		return nil, err
	}

	// message binary data
	buf := make([]byte, msgSize)
	_, err = io.ReadFull(r, buf)
	if err != nil {
		return nil, err
	}

	return buf, err
}

func SendCommand(w io.Writer, cmd *Command) error {
	if len(cmd.Params) > 0 {
		_, err := fmt.Fprintf(w, "%s %s\n", cmd.Name, bytes.Join(cmd.Params, []byte(" ")))
		if err != nil {
			return err
		}
	} else {
		_, err := fmt.Fprintf(w, "%s\n", cmd.Name)
		if err != nil {
			return err
		}
	}
	return nil
}

// LookupPeer is a low-level type for connecting/reading/writing to nsqlookupd
type LookupPeer struct {
	tcpAddr         *net.TCPAddr
	conn            net.Conn
	state           int32
	connectCallback func(*LookupPeer)
}

// NewLookupPeer creates a new LookupPeer instance
func NewLookupPeer(tcpAddr *net.TCPAddr, connectCallback func(*LookupPeer)) *LookupPeer {
	return &LookupPeer{
		tcpAddr:         tcpAddr,
		state:           StateDisconnected,
		connectCallback: connectCallback,
	}
}

func (lp *LookupPeer) Connect() error {
	conn, err := net.DialTimeout("tcp", lp.tcpAddr.String(), time.Second)
	if err != nil {
		return err
	}
	lp.conn = conn
	return nil
}

func (lp *LookupPeer) String() string {
	return lp.tcpAddr.String()
}

func (lp *LookupPeer) Read(data []byte) (int, error) {
	lp.conn.SetReadDeadline(time.Now().Add(time.Second))
	return lp.conn.Read(data)
}

func (lp *LookupPeer) Write(data []byte) (int, error) {
	lp.conn.SetWriteDeadline(time.Now().Add(time.Second))
	return lp.conn.Write(data)
}

func (lp *LookupPeer) Close() error {
	return lp.conn.Close()
}

func (lp *LookupPeer) Command(cmd *Command) ([]byte, error) {
	initialState := lp.state
	if lp.state != StateConnected {
		err := lp.Connect()
		if err != nil {
			return nil, err
		}
		lp.state = StateConnected
		lp.Write(MagicV1)
		if initialState == StateDisconnected {
			lp.connectCallback(lp)
		}
	}
	err := SendCommand(lp, cmd)
	if err != nil {
		lp.Close()
		lp.state = StateDisconnected
		return nil, err
	}
	resp, err := ReadResponse(lp)
	if err != nil {
		lp.Close()
		lp.state = StateDisconnected
		return nil, err
	}
	return resp, nil
}

// lookupRouter is the reduced nsqd/lookup.go loop: every 15s it pings each
// nsqlookupd peer, and it announces new topics; it exits on exitChan.
func lookupRouter(lookupHosts []string, tcpPort int, notifyTopicChan chan string, exitChan chan int) {
	lookupPeers := make([]*LookupPeer, 0)
	for _, host := range lookupHosts {
		tcpAddr, err := net.ResolveTCPAddr("tcp", host)
		if err != nil {
			log.Fatalf("LOOKUP: could not resolve TCP address for %s", host)
		}
		log.Printf("LOOKUP: adding peer %s", tcpAddr.String())
		lookupPeer := NewLookupPeer(tcpAddr, func(lp *LookupPeer) {
			log.Printf("LOOKUP: [%s] connected", lp)
		})
		lookupPeers = append(lookupPeers, lookupPeer)
	}

	// for announcements, lookupd determines the host automatically
	ticker := time.NewTicker(15 * time.Second)
	defer ticker.Stop()
	for {
		select {
		case <-ticker.C:
			// send a heartbeat and read a response (read detects closed conns)
			for _, lookupPeer := range lookupPeers {
				log.Printf("LOOKUP: [%s] sending heartbeat", lookupPeer)
				_, err := lookupPeer.Command(Ping())
				if err != nil {
					log.Printf("ERROR: [%s] ping failed - %s", lookupPeer, err.Error())
				}
			}
		case topicName := <-notifyTopicChan:
			// notify all nsqds that a new topic exists
			log.Printf("LOOKUP: new topic %s", topicName)
			for _, lookupPeer := range lookupPeers {
				_, err := lookupPeer.Command(Announce(topicName, ".", tcpPort))
				if err != nil {
					log.Printf("ERROR: [%s] announce failed - %s", lookupPeer, err.Error())
				}
			}
		case <-exitChan:
			log.Printf("LOOKUP: closing")
			return
		}
	}
}
