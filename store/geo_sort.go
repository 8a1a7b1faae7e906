package store

import "slices"

// SortGeoPoints orders points by distance from the shape's centre
// (descending with desc) so that the first count are the nearest
// (farthest) ones, in the order Redis returns them: a full sort is glibc's
// qsort, a merge sort and so stable; a partial one (count < len(points))
// is Redis's pqsort, whose order among equal distances this reproduces.
// count <= 0 sorts everything.
func SortGeoPoints(points []GeoPoint, shape GeoShape, desc bool, count int) {
	exactTies(points, shape)
	cmp := func(a, b *GeoPoint) int {
		if desc {
			a, b = b, a
		}
		switch {
		case a.Dist > b.Dist:
			return 1
		case a.Dist == b.Dist:
			return 0
		}
		return -1
	}
	if count <= 0 || count >= len(points) {
		slices.SortStableFunc(points, func(a, b GeoPoint) int { return cmp(&a, &b) })
		return
	}
	pqsort(points, cmp, 0, count-1)
}

// exactTies gives the points whose fast distances (see Search) are within
// the fast trigonometry's error of another point's their exact distance:
// then every comparison the sort makes has the result it would have on
// exact distances, which is what equal distances (members at the same
// place, or placed symmetrically) need to sort as in Redis.
func exactTies(points []GeoPoint, shape GeoShape) {
	if len(points) < 2 {
		return
	}
	idx := make([]int, len(points))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(i, j int) int {
		switch a, b := points[i].Dist, points[j].Dist; {
		case a < b:
			return -1
		case a > b:
			return 1
		}
		return 0
	})
	near := func(a, b float64) bool { return b-a <= 1e-12*max(b, 1e-300) }
	var dist func(lon, lat float64) float64
	for k := range idx {
		tie := (k > 0 && near(points[idx[k-1]].Dist, points[idx[k]].Dist)) ||
			(k+1 < len(idx) && near(points[idx[k]].Dist, points[idx[k+1]].Dist))
		if !tie {
			continue
		}
		if dist == nil {
			dist = geoDistancesFrom(shape.Lon, shape.Lat)
		}
		p := &points[idx[k]]
		p.exact = dist(p.Lon, p.Lat)
		p.hasExact = true
	}
	for i := range points {
		if points[i].hasExact {
			points[i].Dist = points[i].exact
		}
	}
}
