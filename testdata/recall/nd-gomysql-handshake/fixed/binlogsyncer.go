// Recall case nd-gomysql-handshake
// Source: github.com/go-mysql-org/go-mysql commit 0ad0d03aedd0411d9bec0725267a2e389965bd73 (replication/binlogsyncer.go)
// Link: https://github.com/go-mysql-org/go-mysql/commit/0ad0d03aedd0411d9bec0725267a2e389965bd73
// Bug: BinlogSyncer.close -> newConnection -> client.ConnectWithDialer -> handshake/readInitialHandshake reads from the new net.Conn with no read deadline (the 10s ctx only bounds the dial), so Close hangs for hours if the server never answers
// Fix: newConnection's option func sets c.SetReadDeadline(time.Now().Add(b.cfg.ReadTimeout)) on the new connection before the handshake
// Rule: nodeadline
package gomysql

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
	"time"
)

// ---- reduced go-mysql client package ----

// Dialer mirrors client.Dialer.
type Dialer func(ctx context.Context, network, address string) (net.Conn, error)

// Conn mirrors client.Conn wrapping packet.Conn.
type Conn struct {
	conn       net.Conn
	sequence   uint8
	attributes map[string]string
}

func (c *Conn) SetAttributes(attrs map[string]string) {
	for k, v := range attrs {
		c.attributes[k] = v
	}
}

func (c *Conn) SetReadDeadline(t time.Time) error {
	return c.conn.SetReadDeadline(t)
}

func (c *Conn) Close() error {
	return c.conn.Close()
}

// ReadPacket mirrors packet.Conn.ReadPacket: a plain blocking read on the net.Conn.
func (c *Conn) ReadPacket() ([]byte, error) {
	var header [4]byte
	if _, err := io.ReadFull(c.conn, header[:]); err != nil {
		return nil, err
	}
	length := int(uint32(header[0]) | uint32(header[1])<<8 | uint32(header[2])<<16)
	c.sequence = header[3] + 1
	data := make([]byte, length)
	if _, err := io.ReadFull(c.conn, data); err != nil {
		return nil, err
	}
	return data, nil
}

// WritePacket mirrors packet.Conn.WritePacket.
func (c *Conn) WritePacket(payload []byte) error {
	buf := make([]byte, 4+len(payload))
	binary.LittleEndian.PutUint32(buf, uint32(len(payload)))
	buf[3] = c.sequence
	copy(buf[4:], payload)
	c.sequence++
	_, err := c.conn.Write(buf)
	return err
}

func (c *Conn) readInitialHandshake() error {
	data, err := c.ReadPacket()
	if err != nil {
		return err
	}
	if len(data) == 0 || data[0] == 0xff {
		return errors.New("read initial handshake error")
	}
	return nil
}

func (c *Conn) writeAuthHandshake() error {
	return c.WritePacket([]byte{0x01})
}

func (c *Conn) handshake() error {
	if err := c.readInitialHandshake(); err != nil {
		c.Close()
		return fmt.Errorf("readInitialHandshake: %w", err)
	}
	if err := c.writeAuthHandshake(); err != nil {
		c.Close()
		return fmt.Errorf("writeAuthHandshake: %w", err)
	}
	if _, err := c.ReadPacket(); err != nil {
		c.Close()
		return err
	}
	return nil
}

// Execute mirrors client.Conn.Execute for a text command.
func (c *Conn) Execute(command string) error {
	c.sequence = 0
	if err := c.WritePacket(append([]byte{0x03}, command...)); err != nil {
		return err
	}
	_, err := c.ReadPacket()
	return err
}

// ConnectWithDialer mirrors client.ConnectWithDialer.
func ConnectWithDialer(ctx context.Context, network string, addr string, user string, password string, dbName string, dialer Dialer, options ...func(*Conn)) (*Conn, error) {
	if network == "" {
		network = "tcp"
	}
	conn, err := dialer(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	c := &Conn{conn: conn, attributes: map[string]string{"_client_name": "go-mysql"}}

	// Apply configuration functions.
	for i := range options {
		options[i](c)
	}

	if err = c.handshake(); err != nil {
		return nil, err
	}
	return c, nil
}

// ---- replication package ----

type BinlogSyncerConfig struct {
	Host        string
	Port        uint16
	User        string
	Password    string
	ReadTimeout time.Duration
	Dialer      Dialer
}

type BinlogSyncer struct {
	m   sync.RWMutex
	cfg BinlogSyncerConfig

	c                *Conn
	wg               sync.WaitGroup
	running          bool
	lastConnectionID uint32

	ctx    context.Context
	cancel context.CancelFunc
}

func NewBinlogSyncer(ctx context.Context, cfg BinlogSyncerConfig) *BinlogSyncer {
	if cfg.Dialer == nil {
		dialer := &net.Dialer{}
		cfg.Dialer = dialer.DialContext
	}
	b := &BinlogSyncer{cfg: cfg}
	b.ctx, b.cancel = context.WithCancel(ctx)
	return b
}

// Close closes the BinlogSyncer.
func (b *BinlogSyncer) Close() {
	b.m.Lock()
	defer b.m.Unlock()

	b.close()
}

func (b *BinlogSyncer) close() {
	if b.isClosed() {
		return
	}

	b.running = false
	b.cancel()

	if b.c != nil {
		_ = b.c.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	}

	// kill last connection id
	if b.lastConnectionID > 0 {
		// Use a new connection to kill the binlog syncer
		// because calling KILL from the same connection
		// doesn't actually disconnect it.
		c, err := b.newConnection(context.Background())
		if err == nil {
			b.killConnection(c, b.lastConnectionID)
			c.Close()
		}
	}

	b.wg.Wait()

	if b.c != nil {
		b.c.Close()
	}
}

func (b *BinlogSyncer) isClosed() bool {
	select {
	case <-b.ctx.Done():
		return true
	default:
		return false
	}
}

func (b *BinlogSyncer) newConnection(ctx context.Context) (*Conn, error) {
	var addr string
	if b.cfg.Port != 0 {
		addr = net.JoinHostPort(b.cfg.Host, strconv.Itoa(int(b.cfg.Port)))
	} else {
		addr = b.cfg.Host
	}

	timeoutCtx, cancel := context.WithTimeout(ctx, time.Second*10)
	defer cancel()

	return ConnectWithDialer(timeoutCtx, "", addr, b.cfg.User, b.cfg.Password,
		"", b.cfg.Dialer, func(c *Conn) {
			c.SetAttributes(map[string]string{"_client_role": "binary_log_listener"})
			if b.cfg.ReadTimeout > 0 {
				_ = c.SetReadDeadline(time.Now().Add(b.cfg.ReadTimeout))
			}
		})
}

func (b *BinlogSyncer) killConnection(conn *Conn, id uint32) {
	cmd := fmt.Sprintf("KILL %d", id)
	_ = conn.Execute(cmd)
}
