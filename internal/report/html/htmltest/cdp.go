package htmltest

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
)

// conn speaks the Chrome DevTools Protocol over the pipe Chromium opens
// with --remote-debugging-pipe: JSON messages, each ended by a NUL byte,
// written to the browser's file descriptor 3 and read from its 4. Replies
// are matched to calls by id; events go to the listener of their session
// (a tab attached with flatten, or "" for the browser).
type conn struct {
	w io.Writer

	mu        sync.Mutex
	next      int64
	calls     map[int64]chan reply
	listeners map[string]func(method string, params json.RawMessage)
	err       error // set once the pipe is closed; calls then fail with it
}

// reply is the answer to one call.
type reply struct {
	result json.RawMessage
	err    error
}

// message is any message on the pipe: a call, its reply or an event.
type message struct {
	ID        int64           `json:"id,omitempty"`
	SessionID string          `json:"sessionId,omitempty"`
	Method    string          `json:"method,omitempty"`
	Params    any             `json:"params,omitempty"`
	Result    json.RawMessage `json:"result,omitempty"`
	Error     *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Data    string `json:"data"`
	} `json:"error,omitempty"`
}

// inbound is a message as read, its params kept raw for the listener.
type inbound struct {
	message
	RawParams json.RawMessage `json:"params,omitempty"`
}

func newConn(w io.Writer, r io.Reader) *conn {
	c := &conn{w: w, calls: map[int64]chan reply{}, listeners: map[string]func(string, json.RawMessage){}}
	go c.read(r)
	return c
}

// read dispatches the browser's messages until the pipe closes.
func (c *conn) read(r io.Reader) {
	br := bufio.NewReaderSize(r, 1<<20)
	for {
		b, err := br.ReadBytes(0)
		if err != nil {
			c.close(fmt.Errorf("the browser's pipe: %w", err))
			return
		}
		var m inbound
		if err := json.Unmarshal(b[:len(b)-1], &m); err != nil {
			c.close(fmt.Errorf("a message from the browser: %w", err))
			return
		}
		c.dispatch(m)
	}
}

func (c *conn) dispatch(m inbound) {
	c.mu.Lock()
	if m.ID != 0 {
		ch := c.calls[m.ID]
		delete(c.calls, m.ID)
		c.mu.Unlock()
		if ch != nil {
			var err error
			if m.Error != nil {
				err = &cdpError{Code: m.Error.Code, Message: m.Error.Message, Data: m.Error.Data}
			}
			ch <- reply{m.Result, err}
		}
		return
	}
	l := c.listeners[m.SessionID]
	c.mu.Unlock()
	if l != nil {
		l(m.Method, m.RawParams)
	}
}

// close fails the pending calls and every later one with err.
func (c *conn) close(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err == nil {
		c.err = err
	}
	for id, ch := range c.calls {
		ch <- reply{err: c.err}
		delete(c.calls, id)
	}
}

// listen sets the function given each event of session ("" for the
// browser's own), called from the reading goroutine.
func (c *conn) listen(session string, f func(method string, params json.RawMessage)) {
	c.mu.Lock()
	c.listeners[session] = f
	c.mu.Unlock()
}

// call sends method with params in session and decodes the reply's result
// into out (when not nil).
func (c *conn) call(ctx context.Context, session, method string, params, out any) error {
	ch := make(chan reply, 1)
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return c.err
	}
	c.next++
	id := c.next
	c.calls[id] = ch
	b, err := json.Marshal(message{ID: id, SessionID: session, Method: method, Params: params})
	if err == nil {
		_, err = c.w.Write(append(b, 0))
	}
	c.mu.Unlock()
	if err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	select {
	case r := <-ch:
		if r.err != nil {
			return fmt.Errorf("%s: %w", method, r.err)
		}
		if out != nil {
			if err := json.Unmarshal(r.result, out); err != nil {
				return fmt.Errorf("%s: %w", method, err)
			}
		}
		return nil
	case <-ctx.Done():
		c.mu.Lock()
		delete(c.calls, id)
		c.mu.Unlock()
		return fmt.Errorf("%s: %w", method, ctx.Err())
	}
}

// cdpError is an error the browser answered.
type cdpError struct {
	Code    int
	Message string
	Data    string
}

func (e *cdpError) Error() string {
	if e.Data != "" {
		return fmt.Sprintf("%s (%d): %s", e.Message, e.Code, e.Data)
	}
	return fmt.Sprintf("%s (%d)", e.Message, e.Code)
}

// ErrPageChanged: the page an action worked on was replaced before it
// ended (a reload or a navigation destroyed its document); the caller may
// start again from a known page.
var ErrPageChanged = errors.New("the page changed under the action")
