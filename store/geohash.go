package store

import "math"

// The geohash arithmetic of Redis's geohash.c and geohash_helper.c. A geo
// set is a sorted set whose scores are 52-bit geohashes: longitude and
// latitude, each cut into 2^26 steps over Redis's ranges, with their bits
// interleaved (latitude in the even bits). Every computation is done in
// float64 in the same order as Redis's C, so positions, distances and the
// areas a search visits come out bit for bit as redis-server's.

// Coordinate limits: the latitude range is Web Mercator's (EPSG:900913),
// so the poles cannot be indexed.
const (
	GeoLongMin = -180.0
	GeoLongMax = 180.0
	GeoLatMin  = -85.05112878
	GeoLatMax  = 85.05112878
)

const (
	geoStepMax  = 26 // bits per coordinate in a stored score
	earthRadius = 6372797.560856
	mercatorMax = 20037726.37
)

// degToRad is C's M_PI / 180.0, rounded as a float64 division (a Go
// constant expression would be computed exactly and round differently).
var degToRad = func() float64 { pi := math.Pi; return pi / 180.0 }()

func degRad(a float64) float64 { return a * degToRad }
func radDeg(a float64) float64 { return a / degToRad }

// geoHash is a geohash of step bits per coordinate (GeoHashBits).
type geoHash struct {
	bits uint64
	step uint8
}

func (h geoHash) zero() bool { return h.bits == 0 && h.step == 0 }

// align52 shifts h to a 52-bit score prefix (geohashAlign52Bits).
func (h geoHash) align52() uint64 { return h.bits << (52 - 2*uint(h.step)) }

// geoRange is one coordinate's range.
type geoRange struct{ min, max float64 }

var (
	geoLongRange = geoRange{GeoLongMin, GeoLongMax}
	geoLatRange  = geoRange{GeoLatMin, GeoLatMax}
	// The standard geohash ranges, for GEOHASH's strings.
	stdLongRange = geoRange{-180, 180}
	stdLatRange  = geoRange{-90, 90}
)

// geoArea is the cell a geohash names.
type geoArea struct {
	hash             geoHash
	longitude, latit geoRange
}

// interleave64 spreads x into the even bits and y into the odd ones.
func interleave64(xlo, ylo uint32) uint64 {
	b := [...]uint64{0x5555555555555555, 0x3333333333333333, 0x0F0F0F0F0F0F0F0F,
		0x00FF00FF00FF00FF, 0x0000FFFF0000FFFF}
	s := [...]uint{1, 2, 4, 8, 16}
	x, y := uint64(xlo), uint64(ylo)
	for i := 4; i >= 0; i-- {
		x = (x | x<<s[i]) & b[i]
		y = (y | y<<s[i]) & b[i]
	}
	return x | y<<1
}

// deinterleave64 undoes interleave64: even bits in the low half, odd
// bits in the high half.
func deinterleave64(v uint64) uint64 {
	b := [...]uint64{0x5555555555555555, 0x3333333333333333, 0x0F0F0F0F0F0F0F0F,
		0x00FF00FF00FF00FF, 0x0000FFFF0000FFFF, 0x00000000FFFFFFFF}
	s := [...]uint{0, 1, 2, 4, 8, 16}
	x, y := v, v>>1
	for i := range b {
		x = (x | x>>s[i]) & b[i]
		y = (y | y>>s[i]) & b[i]
	}
	return x | y<<32
}

// geohashEncode encodes a position at step bits per coordinate over the
// given ranges; false when it is outside Redis's limits or the ranges.
func geohashEncode(lonR, latR geoRange, lon, lat float64, step uint8) (geoHash, bool) {
	if step > 32 || step == 0 {
		return geoHash{}, false
	}
	if lon > GeoLongMax || lon < GeoLongMin || lat > GeoLatMax || lat < GeoLatMin {
		return geoHash{}, false
	}
	if lat < latR.min || lat > latR.max || lon < lonR.min || lon > lonR.max {
		return geoHash{}, false
	}
	latOff := (lat - latR.min) / (latR.max - latR.min)
	lonOff := (lon - lonR.min) / (lonR.max - lonR.min)
	latOff *= float64(uint64(1) << step)
	lonOff *= float64(uint64(1) << step)
	return geoHash{bits: interleave64(uint32(latOff), uint32(lonOff)), step: step}, true
}

// geohashDecode returns the cell h names; false for the zero hash.
func geohashDecode(lonR, latR geoRange, h geoHash) (geoArea, bool) {
	if h.zero() {
		return geoArea{}, false
	}
	sep := deinterleave64(h.bits)
	latScale := latR.max - latR.min
	lonScale := lonR.max - lonR.min
	ilat := uint32(sep)
	ilon := uint32(sep >> 32)
	div := float64(uint64(1) << h.step)
	a := geoArea{hash: h}
	a.latit.min = latR.min + float64(float64(ilat)*1.0/div)*latScale
	a.latit.max = latR.min + float64((float64(ilat)+1)*1.0/div)*latScale
	a.longitude.min = lonR.min + float64(float64(ilon)*1.0/div)*lonScale
	a.longitude.max = lonR.min + float64((float64(ilon)+1)*1.0/div)*lonScale
	return a, true
}

// center returns a cell's middle, clamped to the limits.
func (a geoArea) center() (lon, lat float64) {
	lon = (a.longitude.min + a.longitude.max) / 2
	lon = min(max(lon, GeoLongMin), GeoLongMax)
	lat = (a.latit.min + a.latit.max) / 2
	lat = min(max(lat, GeoLatMin), GeoLatMax)
	return lon, lat
}

// cUint64 converts a score to uint64 as x86-64 C does ((uint64_t)d):
// truncation, with the out-of-range results of cvttsd2si.
func cUint64(f float64) uint64 {
	const two63 = 9223372036854775808.0
	if f < two63 {
		if f <= -two63 {
			return 1 << 63
		}
		return uint64(int64(f))
	}
	f -= two63
	if f >= two63 {
		return 0 // cvttsd2si's 1<<63, xor 1<<63
	}
	return uint64(int64(f)) ^ 1<<63
}

// GeoEncode returns the sorted-set score of a position, and false when
// the position is outside the limits (GeoLongMin…GeoLatMax).
func GeoEncode(lon, lat float64) (float64, bool) {
	h, ok := geohashEncode(geoLongRange, geoLatRange, lon, lat, geoStepMax)
	if !ok {
		return 0, false
	}
	return float64(h.align52()), true
}

// GeoDecode returns the position a sorted-set score stands for (the
// middle of its cell), as Redis's decodeGeohash.
func GeoDecode(score float64) (lon, lat float64, ok bool) {
	a, ok := geohashDecode(geoLongRange, geoLatRange, geoHash{bits: cUint64(score), step: geoStepMax})
	if !ok {
		return 0, 0, false
	}
	lon, lat = a.center()
	return lon, lat, true
}

// GeoHashString returns the 11-character standard geohash of the position
// score stands for, and false when it cannot be decoded.
func GeoHashString(score float64) (string, bool) {
	const alphabet = "0123456789bcdefghjkmnpqrstuvwxyz"
	lon, lat, ok := GeoDecode(score)
	if !ok {
		return "", false
	}
	// Redis ignores the result: a position GeoDecode returned always
	// encodes.
	h, _ := geohashEncode(stdLongRange, stdLatRange, lon, lat, geoStepMax)
	var buf [11]byte
	for i := range buf {
		idx := 0
		if i < 10 { // 52 bits make 10 characters; the 11th is a 0
			idx = int(h.bits>>(52-(uint(i)+1)*5)) & 0x1f
		}
		buf[i] = alphabet[idx]
	}
	return string(buf[:]), true
}

// GeoDistance is the haversine distance in meters between two positions,
// on Redis's earth radius, with correctly rounded trigonometry (see
// geomath.go): what GEODIST, WITHDIST and STOREDIST report.
func GeoDistance(lon1, lat1, lon2, lat2 float64) float64 {
	return haversine(lon1, lat1, lon2, lat2, geoSin, geoCos, geoAsin)
}

// geoDistancesFrom returns GeoDistance(lon1, lat1, …) as a function of
// the second position, with cos(lat1) computed once.
func geoDistancesFrom(lon1, lat1 float64) func(lon2, lat2 float64) float64 {
	cos1 := geoCos(degRad(lat1))
	cos := func(x float64) float64 {
		if x == degRad(lat1) {
			return cos1
		}
		return geoCos(x)
	}
	return func(lon2, lat2 float64) float64 {
		return haversine(lon1, lat1, lon2, lat2, geoSin, cos, geoAsin)
	}
}

// geoDistanceFast is GeoDistance with Go's math functions, which may be
// an ulp off: a hundred times faster, for deciding which members a search
// keeps (only a member exactly on the boundary could go the other way).
func geoDistanceFast(lon1, lat1, lon2, lat2 float64) float64 {
	return haversine(lon1, lat1, lon2, lat2, math.Sin, math.Cos, math.Asin)
}

// haversine is Redis's geohashGetDistance, operation for operation.
func haversine(lon1, lat1, lon2, lat2 float64, sin, cos, asin func(float64) float64) float64 {
	lat1r, lon1r := degRad(lat1), degRad(lon1)
	lat2r, lon2r := degRad(lat2), degRad(lon2)
	u := sin((lat2r - lat1r) / 2)
	v := sin((lon2r - lon1r) / 2)
	return 2.0 * earthRadius * asin(math.Sqrt(float64(u*u)+float64(float64(float64(cos(lat1r)*cos(lat2r))*v)*v)))
}

// Interleaved hashes keep the longitude's bits at odd positions and the
// latitude's at even ones.
const (
	lonBits uint64 = 0xaaaaaaaaaaaaaaaa
	latBits uint64 = 0x5555555555555555
)

// move moves h d cells along one axis, wrapping: east or west (d > 0 or
// d < 0) for lonBits, north or south for latBits. The other axis's bits
// are set while adding, so the carry runs across them (Redis's
// geohash_move_x and geohash_move_y).
func (h *geoHash) move(d int, axis uint64) {
	if d == 0 {
		return
	}
	shift := 64 - 2*uint(h.step)
	a, other := h.bits&axis, h.bits&^axis
	zz := ^axis >> shift
	if d > 0 {
		a += zz + 1
	} else {
		a |= zz
		a -= zz + 1
	}
	a &= axis >> shift
	h.bits = a | other
}

// The eight neighbours, in Redis's GeoHashNeighbors field order.
const (
	geoNorth = iota
	geoSouth
	geoEast
	geoWest
	geoNorthEast
	geoNorthWest
	geoSouthEast
	geoSouthWest
)

// neighbors returns the eight cells around h, indexed by geoNorth….
func (h geoHash) neighbors() [8]geoHash {
	moves := [8][2]int{
		geoNorth: {0, 1}, geoSouth: {0, -1}, geoEast: {1, 0}, geoWest: {-1, 0},
		geoNorthEast: {1, 1}, geoNorthWest: {-1, 1}, geoSouthEast: {1, -1}, geoSouthWest: {-1, -1},
	}
	var n [8]geoHash
	for i, m := range moves {
		n[i] = h
		n[i].move(m[0], lonBits)
		n[i].move(m[1], latBits)
	}
	return n
}

// GeoShape is a search area: a circle of Radius or a Width×Height box
// (in the unit of Conversion meters) around Lon, Lat.
type GeoShape struct {
	Lon, Lat      float64
	Box           bool
	Radius        float64
	Width, Height float64
	Conversion    float64 // meters per unit

	// maxLonGap bounds, in radians, the longitude difference of a
	// position inside a circle (see boundLongitude); 0 when unbounded.
	maxLonGap float64
}

// boundLongitude sets maxLonGap for a circle. A position within r of
// the centre has sin²(r/2R) ≥ cos φ1 cos φ2 sin²(Δλ/2) (the haversine
// without its latitude term), and passes contains' latitude test only
// with cos φ2 ≥ cos(|φ1| + δ); so its wrapped Δλ is at most
// 2 asin(sin(r/2R) / √(cos φ1 cos(|φ1| + δ))). Near the poles, where
// that ratio nears 1, it bounds nothing. Margins as for the latitude.
func (s *GeoShape) boundLongitude() {
	s.maxLonGap = 0
	if s.Box {
		return
	}
	r := s.Radius * s.Conversion * (1 + 1e-9)
	phi := math.Abs(degRad(s.Lat))
	far := phi + r/earthRadius
	if far >= math.Pi/2 {
		return
	}
	ratio := math.Sin(r/(2*earthRadius)) / math.Sqrt(math.Cos(phi)*math.Cos(far))
	if !(ratio < 0.99) {
		return
	}
	s.maxLonGap = 2 * math.Asin(ratio) * (1 + 1e-9)
}

// boundingBox returns min lon, min lat, max lon, max lat of the shape
// (geohashBoundingBox).
func (s *GeoShape) boundingBox() [4]float64 {
	height, width := s.Radius, s.Radius
	if s.Box {
		height, width = s.Height/2, s.Width/2
	}
	height *= s.Conversion
	width *= s.Conversion
	latDelta := radDeg(height / earthRadius)
	longDeltaTop := radDeg(width / earthRadius / math.Cos(degRad(s.Lat+latDelta)))
	longDeltaBottom := radDeg(width / earthRadius / math.Cos(degRad(s.Lat-latDelta)))
	var b [4]float64
	if s.Lat < 0 { // southern hemisphere: the box is widest at its bottom
		b[0], b[2] = s.Lon-longDeltaBottom, s.Lon+longDeltaBottom
	} else {
		b[0], b[2] = s.Lon-longDeltaTop, s.Lon+longDeltaTop
	}
	b[1], b[3] = s.Lat-latDelta, s.Lat+latDelta
	return b
}

// geoEstimateSteps is the cell precision for a search of rangeMeters at
// latitude lat (geohashEstimateStepsByRadius).
func geoEstimateSteps(rangeMeters, lat float64) uint8 {
	if rangeMeters == 0 {
		return 26
	}
	step := 1
	for rangeMeters < mercatorMax {
		rangeMeters *= 2
		step++
	}
	step -= 2
	if lat > 66 || lat < -66 {
		step--
		if lat > 80 || lat < -80 {
			step--
		}
	}
	return uint8(min(max(step, 1), 26))
}

// searchAreas returns the nine cells a search covers, in the order Redis
// visits them (the centre, then north, south, east, west, north-east,
// north-west, south-east, south-west); a cell the search cannot reach is
// the zero hash (geohashCalculateAreasByShapeWGS84).
func (s *GeoShape) searchAreas() [9]geoHash {
	b := s.boundingBox()
	minLon, minLat, maxLon, maxLat := b[0], b[1], b[2], b[3]
	radius := s.Radius
	if s.Box {
		radius = math.Sqrt(float64((s.Width/2)*(s.Width/2)) + float64((s.Height/2)*(s.Height/2)))
	}
	radius *= s.Conversion
	steps := geoEstimateSteps(radius, s.Lat)
	hash, _ := geohashEncode(geoLongRange, geoLatRange, s.Lon, s.Lat, steps)
	nb := hash.neighbors()
	area, _ := geohashDecode(geoLongRange, geoLatRange, hash)

	// Near a cell's edge the estimated step may leave part of the shape
	// outside the nine cells: then use cells twice as large.
	decrease := false
	if a, _ := geohashDecode(geoLongRange, geoLatRange, nb[geoNorth]); a.latit.max < maxLat {
		decrease = true
	}
	if a, _ := geohashDecode(geoLongRange, geoLatRange, nb[geoSouth]); a.latit.min > minLat {
		decrease = true
	}
	if a, _ := geohashDecode(geoLongRange, geoLatRange, nb[geoEast]); a.longitude.max < maxLon {
		decrease = true
	}
	if a, _ := geohashDecode(geoLongRange, geoLatRange, nb[geoWest]); a.longitude.min > minLon {
		decrease = true
	}
	if steps > 1 && decrease {
		steps--
		hash, _ = geohashEncode(geoLongRange, geoLatRange, s.Lon, s.Lat, steps)
		nb = hash.neighbors()
		area, _ = geohashDecode(geoLongRange, geoLatRange, hash)
	}

	// Drop the cells the shape does not reach.
	if steps >= 2 {
		if area.latit.min < minLat {
			nb[geoSouth], nb[geoSouthWest], nb[geoSouthEast] = geoHash{}, geoHash{}, geoHash{}
		}
		if area.latit.max > maxLat {
			nb[geoNorth], nb[geoNorthEast], nb[geoNorthWest] = geoHash{}, geoHash{}, geoHash{}
		}
		if area.longitude.min < minLon {
			nb[geoWest], nb[geoSouthWest], nb[geoNorthWest] = geoHash{}, geoHash{}, geoHash{}
		}
		if area.longitude.max > maxLon {
			nb[geoEast], nb[geoSouthEast], nb[geoNorthEast] = geoHash{}, geoHash{}, geoHash{}
		}
	}
	return [9]geoHash{hash, nb[geoNorth], nb[geoSouth], nb[geoEast], nb[geoWest],
		nb[geoNorthEast], nb[geoNorthWest], nb[geoSouthEast], nb[geoSouthWest]}
}

// contains reports whether the position is inside the shape, and its
// distance in meters from the centre (geoAppendIfWithinShape), computed
// with geoDistanceFast.
func (s *GeoShape) contains(lon, lat float64) (float64, bool) {
	// A position is at least its difference in latitude away: one that
	// far outside the shape (with a margin that rounding cannot cross) is
	// out without the trigonometry, which is most of a search's time.
	reach := s.Radius
	if s.Box {
		reach = s.Height / 2
	}
	if earthRadius*math.Abs(degRad(lat)-degRad(s.Lat)) > reach*s.Conversion*(1+1e-9) {
		return 0, false
	}
	if s.maxLonGap > 0 {
		gap := math.Abs(degRad(lon) - degRad(s.Lon))
		if gap > math.Pi {
			gap = 2*math.Pi - gap
		}
		if gap > s.maxLonGap {
			return 0, false
		}
	}
	if !s.Box {
		d := geoDistanceFast(s.Lon, s.Lat, lon, lat)
		return d, d <= s.Radius*s.Conversion
	}
	w, h := s.Width*s.Conversion, s.Height*s.Conversion
	lonDist := geoDistanceFast(lon, lat, s.Lon, lat)
	latDist := geoDistanceFast(lon, lat, lon, s.Lat)
	if lonDist > w/2 || latDist > h/2 {
		return 0, false
	}
	return geoDistanceFast(s.Lon, s.Lat, lon, lat), true
}
