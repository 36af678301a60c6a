// Recall case nd-v2ray-core-vmessreaddeadline
// Source: github.com/v2fly/v2ray-core commit 3e2cd914b3cd2934008a1ecfa170d8ed42050826 (proxy/vmess/vmessin.go)
// Link: https://github.com/v2fly/v2ray-core/commit/3e2cd914b3cd2934008a1ecfa170d8ed42050826
// Bug: HandleConnection reads the VMess request header from an accepted client connection with no read deadline, so a client that connects and sends nothing (or too little) pins the handler goroutine and connection forever (DoS).
// Fix: A 4-second read deadline is set on the connection before reading the request, and cleared afterwards.
// Rule: nodeadline
package vmess

import (
	"errors"
	"io"
	"log"
	"net"
	"strconv"
)

// VMessRequest is the parsed request header.
type VMessRequest struct {
	RequestKey [16]byte
	RequestIV  [16]byte
	Address    string
}

func (r *VMessRequest) Destination() string { return r.Address }

// VMessRequestReader stands in for protocol.VMessRequestReader.
type VMessRequestReader struct{}

func NewVMessRequestReader() *VMessRequestReader { return &VMessRequestReader{} }

// Read blocks until a full request header has been read from reader.
func (r *VMessRequestReader) Read(reader io.Reader) (*VMessRequest, error) {
	buffer := make([]byte, 16+16+1)
	if _, err := io.ReadFull(reader, buffer); err != nil {
		return nil, err
	}
	request := new(VMessRequest)
	copy(request.RequestKey[:], buffer[:16])
	copy(request.RequestIV[:], buffer[16:32])
	addrLen := int(buffer[32])
	addr := make([]byte, addrLen)
	if _, err := io.ReadFull(reader, addr); err != nil {
		return nil, err
	}
	if addrLen == 0 {
		return nil, errors.New("empty address")
	}
	request.Address = string(addr)
	return request, nil
}

// Point stands in for core.Point, which routes the accepted connection.
type Point interface {
	NewInboundConnectionAccepted(dest string) (input chan<- []byte, output <-chan []byte)
}

type VMessInboundHandler struct {
	vPoint    Point
	accepting bool
}

func NewVMessInboundHandler(vp Point) *VMessInboundHandler {
	return &VMessInboundHandler{vPoint: vp}
}

func (handler *VMessInboundHandler) Listen(port uint16) error {
	listener, err := net.Listen("tcp", ":"+strconv.Itoa(int(port)))
	if err != nil {
		return err
	}
	handler.accepting = true
	go handler.AcceptConnections(listener)

	return nil
}

func (handler *VMessInboundHandler) AcceptConnections(listener net.Listener) error {
	for handler.accepting {
		connection, err := listener.Accept()
		if err != nil {
			return err
		}
		go handler.HandleConnection(connection)
	}
	return nil
}

func (handler *VMessInboundHandler) HandleConnection(connection net.Conn) error {
	defer connection.Close()

	reader := NewVMessRequestReader()

	request, err := reader.Read(connection)
	if err != nil {
		log.Printf("VMessIn: Invalid request from (%s): %v", connection.RemoteAddr().String(), err)
		return err
	}
	log.Printf("VMessIn: Received request for %s", request.Address)

	input, output := handler.vPoint.NewInboundConnectionAccepted(request.Destination())

	readFinish := make(chan bool)
	go handleInput(connection, input, readFinish)

	for data := range output {
		if _, err := connection.Write(data); err != nil {
			break
		}
	}

	if tcpConn, ok := connection.(*net.TCPConn); ok {
		tcpConn.CloseWrite()
	}
	<-readFinish

	return nil
}

func handleInput(reader io.Reader, input chan<- []byte, finish chan<- bool) {
	defer close(input)
	defer close(finish)

	buf := make([]byte, 4096)
	for {
		n, err := reader.Read(buf)
		if n > 0 {
			input <- append([]byte(nil), buf[:n]...)
		}
		if err != nil {
			return
		}
	}
}
