package server

import (
	"math"
	"strconv"
	"strings"

	"github.com/cairn-db/cairn/protocol"
	"github.com/cairn-db/cairn/store"
)

// Geo commands, as Redis's geo.c: a geo set is a sorted set scored by
// store.GeoEncode's geohashes, so GEOADD is a ZADD (and notifies "zadd").

func geoCommands() []*Command {
	const w, r, oom = FlagWrite, FlagRead, FlagDenyOOM
	return []*Command{
		keyCmd("geoadd", -5, w|oom, 1, 1, 1, cmdGeoAdd),
		keyCmd("geopos", -2, r, 1, 1, 1, cmdGeoPos),
		keyCmd("geohash", -2, r, 1, 1, 1, cmdGeoHash),
		keyCmd("geodist", -4, r, 1, 1, 1, cmdGeoDist),
		keyCmd("geosearch", -7, r, 1, 1, 1, geoSearchCmd(geoSearch)),
		keyCmd("geosearchstore", -8, w|oom, 1, 2, 1, geoSearchCmd(geoSearch|geoSearchStore)),
		// GEORADIUS and GEORADIUSBYMEMBER may also write the key after
		// STORE or STOREDIST (georadiusKeys finds it for ACL checks).
		keyCmd("georadius", -6, w|oom, 1, 1, 1, geoSearchCmd(geoCoords)),
		keyCmd("georadius_ro", -6, r, 1, 1, 1, geoSearchCmd(geoCoords|geoNoStore)),
		keyCmd("georadiusbymember", -5, w|oom, 1, 1, 1, geoSearchCmd(geoMember)),
		keyCmd("georadiusbymember_ro", -5, r, 1, 1, 1, geoSearchCmd(geoMember|geoNoStore)),
	}
}

// Geo errors, as Redis spells them.
const (
	errGeoMember = protocol.Error("ERR could not decode requested zset member")
	errGeoUnit   = protocol.Error("ERR unsupported unit provided. please use M, KM, FT, MI")
)

// parseLonLat parses a longitude and a latitude and checks Redis's limits.
func parseLonLat(lonArg, latArg []byte) (lon, lat float64, err error) {
	lon, ok := protocol.ParseFloat(lonArg)
	if !ok {
		return 0, 0, protocol.ErrNotFloat
	}
	lat, ok = protocol.ParseFloat(latArg)
	if !ok {
		return 0, 0, protocol.ErrNotFloat
	}
	if lon < store.GeoLongMin || lon > store.GeoLongMax || lat < store.GeoLatMin || lat > store.GeoLatMax {
		return 0, 0, protocol.Error("ERR invalid longitude,latitude pair " + cFixed6(lon) + "," + cFixed6(lat))
	}
	return lon, lat, nil
}

// cFixed6 formats f as C's "%f".
func cFixed6(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	return strconv.FormatFloat(f, 'f', 6, 64)
}

// parseUnit returns the meters in one unit (m, km, ft, mi).
func parseUnit(b []byte) (float64, error) {
	switch {
	case protocol.EqualFold(b, "m"):
		return 1, nil
	case protocol.EqualFold(b, "km"):
		return 1000, nil
	case protocol.EqualFold(b, "ft"):
		return 0.3048, nil
	case protocol.EqualFold(b, "mi"):
		return 1609.34, nil
	}
	return 0, errGeoUnit
}

// writeDistance writes a distance as Redis does: a bulk string with four
// decimals, in RESP3 too.
func writeDistance(out *protocol.Writer, d float64) {
	out.BulkString(strconv.FormatFloat(d, 'f', 4, 64))
}

// writeCoord writes a coordinate as Redis's addReplyHumanLongDouble: "%.17Lf"
// without trailing zeros, a bulk string in RESP2 and a double in RESP3.
func writeCoord(out *protocol.Writer, f float64) {
	s := strconv.FormatFloat(f, 'f', 17, 64)
	s = strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
	if s == "-0" {
		s = "0"
	}
	if out.Proto() == 3 {
		out.Raw([]byte("," + s + "\r\n"))
		return
	}
	out.BulkString(s)
}

// GEOADD key [NX|XX] [CH] longitude latitude member [longitude latitude member …]
func cmdGeoAdd(c *Context) error {
	var o store.ZAddOptions
	args := c.Args
	i := 2
options:
	for ; i < len(args); i++ {
		switch a := args[i]; {
		case protocol.EqualFold(a, "nx"):
			o.NX = true
		case protocol.EqualFold(a, "xx"):
			o.XX = true
		case protocol.EqualFold(a, "ch"):
			o.CH = true
		default:
			break options
		}
	}
	rest := args[i:]
	if len(rest)%3 != 0 || len(rest) == 0 || (o.NX && o.XX) {
		return protocol.ErrSyntax
	}
	scores := make([]float64, len(rest)/3)
	members := make([][]byte, len(rest)/3)
	for j := range scores {
		lon, lat, err := parseLonLat(rest[3*j], rest[3*j+1])
		if err != nil {
			return err
		}
		scores[j], _ = store.GeoEncode(lon, lat)
		members[j] = rest[3*j+2]
	}
	res, err := c.Tx.ZAdd(args[1], o, scores, members)
	if err != nil {
		return err
	}
	if o.CH {
		c.Out.Int(int64(res.Added + res.Changed))
	} else {
		c.Out.Int(int64(res.Added))
	}
	return nil
}

// GEOPOS key [member …]
func cmdGeoPos(c *Context) error {
	g, err := c.Tx.GeoSet(c.Args[1])
	if err != nil {
		return err
	}
	members := c.Args[2:]
	c.Out.Array(len(members))
	for _, m := range members {
		lon, lat, ok := g.Pos(m)
		if !ok {
			c.Out.NullArray()
			continue
		}
		c.Out.Array(2)
		writeCoord(c.Out, lon)
		writeCoord(c.Out, lat)
	}
	return nil
}

// GEOHASH key [member …]
func cmdGeoHash(c *Context) error {
	g, err := c.Tx.GeoSet(c.Args[1])
	if err != nil {
		return err
	}
	members := c.Args[2:]
	c.Out.Array(len(members))
	for _, m := range members {
		s, ok := g.Score(m)
		var h string
		if ok {
			h, ok = store.GeoHashString(s)
		}
		if !ok {
			c.Out.Null()
			continue
		}
		c.Out.BulkString(h)
	}
	return nil
}

// GEODIST key member1 member2 [M|KM|FT|MI]
func cmdGeoDist(c *Context) error {
	toMeters := 1.0
	switch len(c.Args) {
	case 4:
	case 5:
		u, err := parseUnit(c.Args[4])
		if err != nil {
			return err
		}
		toMeters = u
	default:
		return protocol.ErrSyntax
	}
	g, err := c.Tx.GeoSet(c.Args[1])
	if err != nil {
		return err
	}
	lon1, lat1, ok1 := g.Pos(c.Args[2])
	lon2, lat2, ok2 := g.Pos(c.Args[3])
	if !ok1 || !ok2 {
		c.Out.Null()
		return nil
	}
	writeDistance(c.Out, store.GeoDistance(lon1, lat1, lon2, lat2)/toMeters)
	return nil
}

// Search command variants (Redis's georadiusGeneric flags).
const (
	geoCoords      = 1 << iota // GEORADIUS: centre from the arguments
	geoMember                  // GEORADIUSBYMEMBER: centre at a member
	geoNoStore                 // the _RO variants: no STORE / STOREDIST
	geoSearch                  // GEOSEARCH's FROM… / BY… syntax
	geoSearchStore             // GEOSEARCHSTORE: destination first, STOREDIST flag
)

// geoQuery is a parsed search command.
type geoQuery struct {
	shape                  store.GeoShape
	withDist, withHash     bool
	withCoord, any, desc   bool
	sorted                 bool
	count                  int64 // 0 = all
	storeKey               []byte
	storeDist              bool
	fromMember, fromLonLat bool
	byRadius, byBox        bool
}

// parseRadius parses "radius unit" into the shape.
func (q *geoQuery) parseRadius(r, unit []byte) error {
	d, ok := protocol.ParseFloat(r)
	if !ok {
		return protocol.Error("ERR need numeric radius")
	}
	if d < 0 {
		return protocol.Error("ERR radius cannot be negative")
	}
	q.shape.Radius = d
	conv, err := parseUnit(unit)
	if err != nil {
		return err
	}
	q.shape.Conversion, q.shape.Box = conv, false
	return nil
}

// parseBox parses "width height unit" into the shape.
func (q *geoQuery) parseBox(wArg, hArg, unit []byte) error {
	w, ok := protocol.ParseFloat(wArg)
	if !ok {
		return protocol.Error("ERR need numeric width")
	}
	h, ok := protocol.ParseFloat(hArg)
	if !ok {
		return protocol.Error("ERR need numeric height")
	}
	if h < 0 || w < 0 {
		return protocol.Error("ERR height or width cannot be negative")
	}
	q.shape.Width, q.shape.Height = w, h
	conv, err := parseUnit(unit)
	if err != nil {
		return err
	}
	q.shape.Conversion, q.shape.Box = conv, true
	return nil
}

// parseGeoQuery parses a search command's arguments in Redis's order, so
// the first error is Redis's: the centre member is looked up (in g, nil
// for a missing key) as its argument is reached.
func parseGeoQuery(args [][]byte, flags int, g *store.GeoSet) (*geoQuery, error) {
	q := &geoQuery{}
	var base int
	switch {
	case flags&geoCoords != 0:
		base = 6
		lon, lat, err := parseLonLat(args[2], args[3])
		if err != nil {
			return nil, err
		}
		q.shape.Lon, q.shape.Lat = lon, lat
		if err := q.parseRadius(args[4], args[5]); err != nil {
			return nil, err
		}
	case flags&geoMember != 0 && g == nil:
		// No source key: parse the options for the reply's shape only.
		base = 5
	case flags&geoMember != 0:
		base = 5
		lon, lat, ok := g.Pos(args[2])
		if !ok {
			return nil, errGeoMember
		}
		q.shape.Lon, q.shape.Lat = lon, lat
		if err := q.parseRadius(args[3], args[4]); err != nil {
			return nil, err
		}
	default:
		base = 2
		if flags&geoSearchStore != 0 {
			base = 3
			q.storeKey = args[1]
		}
	}
	search := flags&geoSearch != 0
	storeOK := flags&(geoNoStore|geoSearch) == 0
	for i := base; i < len(args); i++ {
		a, left := args[i], len(args)-i-1
		switch {
		case protocol.EqualFold(a, "withdist"):
			q.withDist = true
		case protocol.EqualFold(a, "withhash"):
			q.withHash = true
		case protocol.EqualFold(a, "withcoord"):
			q.withCoord = true
		case protocol.EqualFold(a, "any"):
			q.any = true
		case protocol.EqualFold(a, "asc"):
			q.sorted, q.desc = true, false
		case protocol.EqualFold(a, "desc"):
			q.sorted, q.desc = true, true
		case protocol.EqualFold(a, "count") && left >= 1:
			n, ok := protocol.ParseInt(args[i+1])
			if !ok {
				return nil, protocol.ErrNotInteger
			}
			if n <= 0 {
				return nil, protocol.Error("ERR COUNT must be > 0")
			}
			q.count = n
			i++
		case (protocol.EqualFold(a, "store") || protocol.EqualFold(a, "storedist")) && left >= 1 && storeOK:
			q.storeKey = args[i+1]
			q.storeDist = protocol.EqualFold(a, "storedist")
			i++
		case protocol.EqualFold(a, "storedist") && flags&geoSearchStore != 0:
			q.storeDist = true
		case protocol.EqualFold(a, "frommember") && left >= 1 && search && !q.fromLonLat:
			if g != nil {
				lon, lat, ok := g.Pos(args[i+1])
				if !ok {
					return nil, errGeoMember
				}
				q.shape.Lon, q.shape.Lat = lon, lat
			}
			q.fromMember = true
			i++
		case protocol.EqualFold(a, "fromlonlat") && left >= 2 && search && !q.fromMember:
			lon, lat, err := parseLonLat(args[i+1], args[i+2])
			if err != nil {
				return nil, err
			}
			q.shape.Lon, q.shape.Lat = lon, lat
			q.fromLonLat = true
			i += 2
		case protocol.EqualFold(a, "byradius") && left >= 2 && search && !q.byBox:
			if err := q.parseRadius(args[i+1], args[i+2]); err != nil {
				return nil, err
			}
			q.byRadius = true
			i += 2
		case protocol.EqualFold(a, "bybox") && left >= 3 && search && !q.byRadius:
			if err := q.parseBox(args[i+1], args[i+2], args[i+3]); err != nil {
				return nil, err
			}
			q.byBox = true
			i += 3
		default:
			return nil, protocol.ErrSyntax
		}
	}
	if q.storeKey != nil && (q.withDist || q.withHash || q.withCoord) {
		if flags&geoSearchStore != 0 {
			return nil, protocol.Error("ERR GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD options")
		}
		return nil, protocol.Error("ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options")
	}
	if search && !q.fromMember && !q.fromLonLat {
		return nil, protocol.Error("ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for " + string(args[0]))
	}
	if search && !q.byRadius && !q.byBox {
		return nil, protocol.Error("ERR exactly one of BYRADIUS and BYBOX can be specified for " + string(args[0]))
	}
	if q.any && q.count == 0 {
		return nil, protocol.Error("ERR the ANY argument requires COUNT argument")
	}
	return q, nil
}

// geoSearchCmd is GEOSEARCH, GEOSEARCHSTORE, GEORADIUS, GEORADIUSBYMEMBER
// and the _RO variants (Redis's georadiusGeneric).
func geoSearchCmd(flags int) Handler {
	return func(c *Context) error {
		src := c.Args[1]
		if flags&geoSearchStore != 0 {
			src = c.Args[2]
		}
		g, err := c.Tx.GeoSet(src)
		if err != nil {
			return err
		}
		q, err := parseGeoQuery(c.Args, flags, g)
		if err != nil {
			return err
		}
		event := "georadiusstore"
		if flags&geoSearch != 0 {
			event = "geosearchstore"
		}
		if g == nil {
			if q.storeKey != nil {
				// Deletes the destination (a "del" event), as Redis.
				c.Tx.GeoStore(q.storeKey, nil, false, 1, event)
				c.Out.Int(0)
			} else {
				c.Out.Array(0)
			}
			return nil
		}
		limit := 0
		if q.any {
			limit = int(min(q.count, math.MaxInt32))
		}
		points := g.Search(q.shape, limit)
		// COUNT without ANY returns the nearest: sort ascending.
		if q.sorted || (q.count > 0 && !q.any) {
			store.SortGeoPoints(points, q.shape, q.desc, int(min(q.count, int64(len(points)))))
		}
		if q.count > 0 && int64(len(points)) > q.count {
			points = points[:q.count]
		}
		if q.withDist || q.storeDist {
			store.ExactDistances(points, q.shape, !q.storeDist)
		}
		if q.storeKey != nil {
			n := c.Tx.GeoStore(q.storeKey, points, q.storeDist, q.shape.Conversion, event)
			c.Out.Int(int64(n))
			return nil
		}
		writeGeoPoints(c.Out, q, points)
		return nil
	}
}

// writeGeoPoints writes a search's reply: member names, or per member an
// array of the name and the WITH… fields in Redis's order (distance,
// hash, coordinates).
func writeGeoPoints(out *protocol.Writer, q *geoQuery, points []store.GeoPoint) {
	extra := 0
	for _, on := range []bool{q.withDist, q.withHash, q.withCoord} {
		if on {
			extra++
		}
	}
	out.Array(len(points))
	for _, p := range points {
		if extra == 0 {
			out.Bulk(p.Member)
			continue
		}
		out.Array(extra + 1)
		out.Bulk(p.Member)
		if q.withDist {
			writeDistance(out, p.Dist/q.shape.Conversion)
		}
		if q.withHash {
			out.Int(int64(p.Score))
		}
		if q.withCoord {
			out.Array(2)
			writeCoord(out, p.Lon)
			writeCoord(out, p.Lat)
		}
	}
}

// georadiusKeys are GEORADIUS's and GEORADIUSBYMEMBER's keys: the source
// and the STORE and STOREDIST destinations, as Redis 7.0's key specs.
func georadiusKeys(args [][]byte) [][]byte {
	if len(args) < 2 {
		return nil
	}
	keys := [][]byte{args[1]}
	// As Redis's key specs: the argument after the first STORE, then the
	// one after the first STOREDIST (the command uses the last given).
	for _, word := range []string{"store", "storedist"} {
		for i := 5; i+1 < len(args); i++ {
			if protocol.EqualFold(args[i], word) {
				keys = append(keys, args[i+1])
				break
			}
		}
	}
	return keys
}
