package store

import (
	"bytes"
	"math"
)

// Geo sets are sorted sets whose scores are GeoEncode's geohashes: GEOADD
// is a ZAdd and GEOPOS a ZScore, so a geo set persists and restarts as
// any sorted set. The one operation of their own is the area search.

// GeoPoint is a member a geo search found.
type GeoPoint struct {
	Member   []byte
	Score    float64 // the member's geohash score
	Dist     float64 // meters from the search's centre (see ExactDistances)
	Lon, Lat float64

	exact    float64 // exactTies's exact distance, when hasExact
	hasExact bool
}

// GeoSet is a read view of the geo set at a key, for one command: it is
// valid only until the transaction that returned it changes the key.
type GeoSet struct{ z *zset }

// GeoSet looks the key up once, as a read (a hit or a miss), and returns
// nil for a missing key.
func (tx *Tx) GeoSet(key []byte) (*GeoSet, error) {
	z, err := tx.zsetRead(key)
	if z == nil {
		return nil, err
	}
	return &GeoSet{z: z}, nil
}

// Score returns member's geohash score.
func (g *GeoSet) Score(member []byte) (float64, bool) {
	if g == nil {
		return 0, false
	}
	return g.z.score(member)
}

// Pos returns member's position; false when it is missing.
func (g *GeoSet) Pos(member []byte) (lon, lat float64, ok bool) {
	s, ok := g.Score(member)
	if !ok {
		return 0, 0, false
	}
	return GeoDecode(s)
}

// Search returns the members inside shape, in the order Redis visits
// them: the nine cells of the search, each in score order. With limit > 0
// (COUNT … ANY) it stops once it has limit members.
func (g *GeoSet) Search(shape GeoShape, limit int) []GeoPoint {
	if g == nil {
		return nil
	}
	z := g.z
	var out []GeoPoint
	full := func() bool { return limit > 0 && len(out) >= limit }
	areas := shape.searchAreas()
	shape.boundLongitude()
	last := 0 // as Redis: a cell equal to the centre is not skipped
	for i, h := range areas {
		if h.zero() {
			continue
		}
		// With a huge radius adjacent cells can be the same cell: skip
		// one equal to the cell searched just before, as Redis does.
		if last > 0 && h == areas[last] {
			continue
		}
		if full() {
			break
		}
		last = i
		lo := float64(h.align52())
		h.bits++
		hi := float64(h.align52())
		from := z.countWhile(func(s float64, _ string) bool { return s < lo })
		z.walk(from, z.n, false, func(m []byte, s float64) bool {
			if s >= hi {
				return false
			}
			lon, lat, ok := GeoDecode(s)
			if ok {
				if d, in := shape.contains(lon, lat); in {
					out = append(out, GeoPoint{Member: bytes.Clone(m), Score: s, Dist: d, Lon: lon, Lat: lat})
				}
			}
			return !full()
		})
	}
	return out
}

// ExactDistances recomputes the points' distances from the shape's
// centre with GeoDistance. Search measures with faster trigonometry that
// may be an ulp off; a command calls this on the points it stores with
// STOREDIST (printed false: the score is the whole double) or returns
// with WITHDIST (printed true), so those match Redis's. A printed
// distance has four decimals in the shape's unit, so only one whose fast
// value lies near a rounding midpoint is recomputed: exact trigonometry
// costs ten times more than the fast one.
func ExactDistances(points []GeoPoint, shape GeoShape, printed bool) {
	var dist func(lon, lat float64) float64
	for i := range points {
		p := &points[i]
		if printed && fourDecimalsSettled(p.Dist/shape.Conversion) {
			continue
		}
		if dist == nil {
			dist = geoDistancesFrom(shape.Lon, shape.Lat)
		}
		p.Dist = dist(p.Lon, p.Lat)
	}
}

// fourDecimalsSettled reports whether x prints with four decimals as
// every double within thousands of ulps of it does: no rounding midpoint
// lies that close.
func fourDecimalsSettled(x float64) bool {
	y := math.Abs(x) * 1e4
	return math.Abs(y-math.Floor(y)-0.5) > y*1e-12
}

// GeoStore makes dst a sorted set of the points, scored by their geohash
// or, with dist, by their distance divided by conversion (meters per
// unit); an empty result deletes dst. It returns the number stored and
// sends event (geosearchstore, georadiusstore) as Redis does.
func (tx *Tx) GeoStore(dst []byte, points []GeoPoint, dist bool, conversion float64, event string) int {
	items := make([]ScoredMember, len(points))
	for i, p := range points {
		items[i] = ScoredMember{Member: p.Member, Score: p.Score}
		if dist {
			items[i].Score = p.Dist / conversion
		}
	}
	return tx.storeZSet(dst, items, event)
}
