package server

import "strconv"

// Delivery of invalidation messages (tracking.go decides who gets what).

// sendInvalidation delivers one invalidation for tracking client c — keys,
// or a null when flushed — to c itself (RESP3 push) or to its redirect
// target: a RESP3 push, or, to a RESP2 client in subscribed mode, a
// message on __redis__:invalidate. When the target has gone, c is marked
// and told (tracking-redir-broken) if it speaks RESP3. Redis's
// sendTrackingMessage.
func (s *Server) sendInvalidation(c *Client, keys []string, flushed bool) {
	to := c
	redirected := false
	if id := c.trackRedir.Load(); id != 0 {
		to = s.clients.get(id)
		if to == nil {
			for {
				f := c.tflags()
				if c.trackFlags.CompareAndSwap(uint32(f), uint32(f|trackBrokenRedir)) {
					break
				}
			}
			if c.resp.Load() == 3 {
				c.queue(encodeRedirBroken(id))
			}
			return
		}
		redirected = true
	}
	proto := int(to.resp.Load())
	switch {
	case proto == 3:
		to.queue(encodeInvalidation(3, false, keys, flushed))
	case redirected && to.subs.active():
		to.queue(encodeInvalidation(2, true, keys, flushed))
	}
}

// queue appends bytes to c's output from another goroutine, if c has an
// outbox (a tracking or subscribed client); otherwise there is no safe
// way to reach it, and the message is dropped.
func (c *Client) queue(b []byte) {
	if c.wantBox.Load() {
		// A redirect target whose goroutine has not switched it to
		// queued output yet: keep the message for when it does.
		c.earlyMu.Lock()
		defer c.earlyMu.Unlock()
		if c.box.Load() == nil {
			if len(c.early)+len(b) <= maxEarlyBytes {
				c.early = append(c.early, b...)
			}
			return
		}
	}
	if o := c.box.Load(); o != nil {
		o.push(b)
	}
}

// maxEarlyBytes bounds what an idle redirect target keeps for itself.
const maxEarlyBytes = 1 << 20

// startTargetOutbox switches a redirect target to queued output (its own
// goroutine, at its next command) and sends what was kept for it first.
func (s *Server) startTargetOutbox(c *Client) {
	c.earlyMu.Lock()
	defer c.earlyMu.Unlock()
	s.startOutbox(c)
	if len(c.early) > 0 {
		c.outbox.push(c.early)
		c.early = nil
	}
}

// encodeInvalidation is one invalidation message: a RESP3 push
// ">2 invalidate keys", or (msg) a RESP2 pub/sub message on
// __redis__:invalidate whose payload is the array of keys. A flush sends
// a null instead of the keys.
func encodeInvalidation(proto int, msg bool, keys []string, flushed bool) []byte {
	var b []byte
	if msg {
		b = append(b, "*3\r\n$7\r\nmessage\r\n$20\r\n"+invalidateChannel+"\r\n"...)
	} else {
		b = append(b, ">2\r\n$10\r\ninvalidate\r\n"...)
	}
	if flushed {
		if proto == 3 {
			return append(b, "_\r\n"...)
		}
		return append(b, "$-1\r\n"...)
	}
	b = appendLen(b, '*', len(keys))
	for _, k := range keys {
		b = appendLen(b, '$', len(k))
		b = append(append(b, k...), "\r\n"...)
	}
	return b
}

// encodeRedirBroken is the push telling a RESP3 client that its redirect
// target has gone.
func encodeRedirBroken(id int64) []byte {
	b := append([]byte(nil), ">2\r\n$21\r\ntracking-redir-broken\r\n:"...)
	b = strconv.AppendInt(b, id, 10)
	return append(b, "\r\n"...)
}

func appendLen(b []byte, kind byte, n int) []byte {
	b = append(b, kind)
	b = strconv.AppendInt(b, int64(n), 10)
	return append(b, "\r\n"...)
}
