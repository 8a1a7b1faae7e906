package server

import (
	"sort"

	"github.com/cairn-db/cairn/protocol"
)

// trackingCommands are CLIENT's client-side caching subcommands
// (tracking.go has the table they drive).
func trackingCommands() []*Command {
	f := FlagNoScript | FlagLoading | FlagStale
	return []*Command{
		cmd("tracking", -3, f, cmdClientTracking),
		cmd("caching", 3, f, cmdClientCaching),
		cmd("getredir", 2, f, cmdClientGetRedir),
		cmd("trackinginfo", 2, f, cmdClientTrackingInfo),
	}
}

// Redis's CLIENT TRACKING errors.
const (
	errTrackRedirOnce   = protocol.Error("ERR A client can only redirect to a single other client")
	errTrackRedirGone   = protocol.Error("ERR The client ID you want redirect to does not exist")
	errTrackPrefixBcast = protocol.Error("ERR PREFIX option requires BCAST mode to be enabled")
	errTrackBcastSwitch = protocol.Error("ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.")
	errTrackOptBcast    = protocol.Error("ERR OPTIN and OPTOUT are not compatible with BCAST")
	errTrackOptBoth     = protocol.Error("ERR You can't specify both OPTIN mode and OPTOUT mode")
	errTrackOptSwitch   = protocol.Error("ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.")
	errCachingOff       = protocol.Error("ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled")
	errCachingYes       = protocol.Error("ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.")
	errCachingNo        = protocol.Error("ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.")
)

// CLIENT TRACKING ON|OFF [REDIRECT id] [PREFIX p ...] [BCAST] [OPTIN]
// [OPTOUT] [NOLOOP]. Options are parsed (and REDIRECT's client looked up)
// before ON or OFF is, as Redis does; OFF ignores them.
// https://redis.io/commands/client-tracking/
func cmdClientTracking(c *Context) error {
	s, cl := c.Server, c.Client
	var redir int64
	var opts trackFlags
	var prefixes []string
	args := c.Args
	for j := 3; j < len(args); j++ {
		more := j+1 < len(args)
		switch a := args[j]; {
		case protocol.EqualFold(a, "redirect") && more:
			j++
			if redir != 0 {
				return errTrackRedirOnce
			}
			id, ok := protocol.ParseInt(args[j])
			if !ok {
				return protocol.ErrNotInteger
			}
			if id <= 0 || s.clients.get(id) == nil {
				return errTrackRedirGone
			}
			redir = id
		case protocol.EqualFold(a, "bcast"):
			opts |= trackBcast
		case protocol.EqualFold(a, "optin"):
			opts |= trackOptin
		case protocol.EqualFold(a, "optout"):
			opts |= trackOptout
		case protocol.EqualFold(a, "noloop"):
			opts |= trackNoloop
		case protocol.EqualFold(a, "prefix") && more:
			j++
			prefixes = append(prefixes, string(args[j]))
		default:
			return protocol.ErrSyntax
		}
	}
	switch {
	case protocol.EqualFold(args[2], "on"):
		if err := checkTrackingOn(cl, opts, prefixes); err != nil {
			return err
		}
		s.enableTracking(cl, redir, opts, prefixes)
	case protocol.EqualFold(args[2], "off"):
		s.disableTracking(cl)
	default:
		return protocol.ErrSyntax
	}
	c.Out.OK()
	return nil
}

// checkTrackingOn validates ON's options against each other and against
// the client's current mode, in Redis's order.
func checkTrackingOn(cl *Client, opts trackFlags, prefixes []string) error {
	cur := cl.tflags()
	switch {
	case opts&trackBcast == 0 && len(prefixes) > 0:
		return errTrackPrefixBcast
	case cur&trackOn != 0 && (cur&trackBcast != 0) != (opts&trackBcast != 0):
		return errTrackBcastSwitch
	case opts&trackBcast != 0 && opts&(trackOptin|trackOptout) != 0:
		return errTrackOptBcast
	case opts&trackOptin != 0 && opts&trackOptout != 0:
		return errTrackOptBoth
	case (opts&trackOptin != 0 && cur&trackOptout != 0) || (opts&trackOptout != 0 && cur&trackOptin != 0):
		return errTrackOptSwitch
	}
	if opts&trackBcast != 0 {
		// Redis 7.0 replies with both this error and +OK when the overlap
		// is between two new prefixes after the first; Cairn sends the
		// error alone and leaves tracking as it was.
		if msg := prefixOverlap(cl.trackPrefixes, prefixes); msg != "" {
			return protocol.Error(msg)
		}
	}
	return nil
}

// CLIENT CACHING YES|NO: in OPTIN mode, track the keys of the next
// command; in OPTOUT mode, do not.
func cmdClientCaching(c *Context) error {
	cl := c.Client
	f := cl.tflags()
	if f&trackOn == 0 {
		return errCachingOff
	}
	switch {
	case protocol.EqualFold(c.Args[2], "yes"):
		if f&trackOptin == 0 {
			return errCachingYes
		}
	case protocol.EqualFold(c.Args[2], "no"):
		if f&trackOptout == 0 {
			return errCachingNo
		}
	default:
		return protocol.ErrSyntax
	}
	cl.setTFlags(f | trackCaching)
	c.Out.OK()
	return nil
}

// CLIENT GETREDIR: the client invalidations are redirected to, 0 for
// none, -1 when tracking is off.
func cmdClientGetRedir(c *Context) error {
	c.Out.Int(trackingRedirect(c.Client))
	return nil
}

// trackingRedirect is the redirect CLIENT GETREDIR, TRACKINGINFO and
// CLIENT LIST report.
func trackingRedirect(cl *Client) int64 {
	if cl.tflags()&trackOn == 0 {
		return -1
	}
	return cl.trackRedir.Load()
}

// CLIENT TRACKINGINFO: the client's tracking flags (a set), redirect and
// BCAST prefixes, as a map.
func cmdClientTrackingInfo(c *Context) error {
	cl := c.Client
	f := cl.tflags()
	flags := []string{"off"}
	if f&trackOn != 0 {
		flags[0] = "on"
	}
	add := func(bit trackFlags, name string) {
		if f&bit != 0 {
			flags = append(flags, name)
		}
	}
	add(trackBcast, "bcast")
	if f&trackOptin != 0 {
		flags = append(flags, "optin")
		add(trackCaching, "caching-yes")
	}
	if f&trackOptout != 0 {
		flags = append(flags, "optout")
		add(trackCaching, "caching-no")
	}
	add(trackNoloop, "noloop")
	add(trackBrokenRedir, "broken_redirect")
	prefixes := append([]string(nil), cl.trackPrefixes...)
	sort.Strings(prefixes) // Redis lists its radix tree, in byte order

	w := c.Out
	w.Map(3)
	w.BulkString("flags")
	w.Set(len(flags))
	for _, fl := range flags {
		w.BulkString(fl)
	}
	w.BulkString("redirect")
	w.Int(trackingRedirect(cl))
	w.BulkString("prefixes")
	w.Array(len(prefixes))
	for _, p := range prefixes {
		w.BulkString(p)
	}
	return nil
}
