// Recall case nd-gokrb5-dialkdc
// Source: github.com/jcmturner/gokrb5 commit 363118e62befa8a14ff01031c025026077fe5d6d (client/network.go)
// Link: https://github.com/jcmturner/gokrb5/commit/363118e62befa8a14ff01031c025026077fe5d6d
// Bug: dialKDCTCP/dialKDCUDP connect to the KDC with net.DialTCP/net.DialUDP, which take no timeout; the 5 s deadline is only set after the connection exists, so an unreachable KDC blocks sendToKDC until the OS connect timeout (minutes).
// Fix: both dial helpers use net.DialTimeout(network, addr, 5*time.Second) before setting the read/write deadline.
// Rule: nodeadline
package client

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"time"
)

// KRBError stands in for messages.KRBError.
type KRBError struct {
	ErrorCode int32
	EText     string
}

func (k KRBError) Error() string { return fmt.Sprintf("KRB Error: (%d) %s", k.ErrorCode, k.EText) }

// Unmarshal stands in for the ASN.1 decoding of a KRB-ERROR message.
func (k *KRBError) Unmarshal(b []byte) error {
	if len(b) < 5 || b[0] != 0x7e {
		return errors.New("not a KRB-ERROR")
	}
	k.ErrorCode = int32(binary.BigEndian.Uint32(b[1:5]))
	k.EText = string(b[5:])
	return nil
}

// Config stands in for config.Config; GetKDCs returns the KDC addresses of a realm.
type Config struct {
	UDPPreferenceLimit int
	Realms             map[string][]string
}

func (c *Config) GetKDCs(realm string, tcp bool) (int, map[int]string, error) {
	addrs, ok := c.Realms[realm]
	if !ok || len(addrs) == 0 {
		return 0, nil, fmt.Errorf("no KDCs defined in configuration for realm %s", realm)
	}
	kdcs := make(map[int]string)
	for i, a := range addrs {
		kdcs[i+1] = a
	}
	return len(kdcs), kdcs, nil
}

type Client struct {
	Config *Config
}

// sendToKDC performs network actions to send data to the KDC.
func (cl *Client) sendToKDC(b []byte, realm string) ([]byte, error) {
	if cl.Config.UDPPreferenceLimit == 1 {
		//1 means we should always use TCP
		rb, errtcp := cl.sendKDCTCP(realm, b)
		if errtcp != nil {
			if e, ok := errtcp.(KRBError); ok {
				return rb, e
			}
			return rb, fmt.Errorf("communication error with KDC via TCP: %v", errtcp)
		}
		return rb, nil
	}
	//Try UDP first, TCP second
	rb, errudp := cl.sendKDCUDP(realm, b)
	if errudp != nil {
		r, errtcp := cl.sendKDCTCP(realm, b)
		if errtcp != nil {
			return r, fmt.Errorf("failed to communicate with KDC. Attempts made with UDP (%v) and then TCP (%v)", errudp, errtcp)
		}
		rb = r
	}
	return rb, nil
}

// dialKDCUDP establishes a UDP connection to a KDC.
func dialKDCUDP(count int, kdcs map[int]string) (conn *net.UDPConn, err error) {
	i := 1
	for i <= count {
		udpAddr, e := net.ResolveUDPAddr("udp", kdcs[i])
		if e != nil {
			err = fmt.Errorf("error resolving KDC address: %v", e)
			return
		}
		conn, err = net.DialUDP("udp", nil, udpAddr)
		if err == nil {
			err = conn.SetDeadline(time.Now().Add(5 * time.Second))
			if err != nil {
				return
			}
			return
		}
		i++
	}
	err = errors.New("error in getting a UDP connection to any of the KDCs")
	return
}

// dialKDCTCP establishes a TCP connection to a KDC.
func dialKDCTCP(count int, kdcs map[int]string) (conn *net.TCPConn, err error) {
	i := 1
	for i <= count {
		tcpAddr, e := net.ResolveTCPAddr("tcp", kdcs[i])
		if e != nil {
			err = fmt.Errorf("error resolving KDC address: %v", e)
			return
		}
		conn, err = net.DialTCP("tcp", nil, tcpAddr)
		if err == nil {
			err = conn.SetDeadline(time.Now().Add(5 * time.Second))
			if err != nil {
				return
			}
			return
		}
		i++
	}
	err = errors.New("error in getting a TCP connection to any of the KDCs")
	return
}

// sendKDCUDP sends bytes to the KDC via UDP.
func (cl *Client) sendKDCUDP(realm string, b []byte) ([]byte, error) {
	var r []byte
	count, kdcs, err := cl.Config.GetKDCs(realm, false)
	if err != nil {
		return r, err
	}
	conn, err := dialKDCUDP(count, kdcs)
	if err != nil {
		return r, err
	}
	r, err = cl.sendUDP(conn, b)
	if err != nil {
		return r, err
	}
	return checkForKRBError(r)
}

// sendKDCTCP sends bytes to the KDC via TCP.
func (cl *Client) sendKDCTCP(realm string, b []byte) ([]byte, error) {
	var r []byte
	count, kdcs, err := cl.Config.GetKDCs(realm, true)
	if err != nil {
		return r, err
	}
	conn, err := dialKDCTCP(count, kdcs)
	if err != nil {
		return r, err
	}
	rb, err := cl.sendTCP(conn, b)
	if err != nil {
		return r, err
	}
	return checkForKRBError(rb)
}

// sendUDP sends bytes to connection over UDP.
func (cl *Client) sendUDP(conn *net.UDPConn, b []byte) ([]byte, error) {
	var r []byte
	defer conn.Close()
	_, err := conn.Write(b)
	if err != nil {
		return r, fmt.Errorf("error sending to (%s): %v", conn.RemoteAddr().String(), err)
	}
	udpbuf := make([]byte, 4096)
	n, _, err := conn.ReadFrom(udpbuf)
	r = udpbuf[:n]
	if err != nil {
		return r, fmt.Errorf("sending over UDP failed to %s: %v", conn.RemoteAddr().String(), err)
	}
	if len(r) < 1 {
		return r, fmt.Errorf("no response data from %s", conn.RemoteAddr().String())
	}
	return r, nil
}

// sendTCP sends bytes to connection over TCP.
func (cl *Client) sendTCP(conn *net.TCPConn, b []byte) ([]byte, error) {
	defer conn.Close()
	var r []byte
	var buf bytes.Buffer
	err := binary.Write(&buf, binary.BigEndian, uint32(len(b)))
	if err != nil {
		return r, err
	}
	b = append(buf.Bytes(), b...)

	_, err = conn.Write(b)
	if err != nil {
		return r, fmt.Errorf("error sending to KDC (%s): %v", conn.RemoteAddr().String(), err)
	}

	sh := make([]byte, 4)
	_, err = conn.Read(sh)
	if err != nil {
		return r, fmt.Errorf("error reading response size header: %v", err)
	}
	s := binary.BigEndian.Uint32(sh)

	rb := make([]byte, s)
	_, err = io.ReadFull(conn, rb)
	if err != nil {
		return r, fmt.Errorf("error reading response: %v", err)
	}
	if len(rb) < 1 {
		return r, fmt.Errorf("no response data from KDC %s", conn.RemoteAddr().String())
	}
	return rb, nil
}

// checkForKRBError checks if the response bytes from the KDC are a KRBError.
func checkForKRBError(b []byte) ([]byte, error) {
	var KRBErr KRBError
	if err := KRBErr.Unmarshal(b); err == nil {
		return b, KRBErr
	}
	return b, nil
}
