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
	pqsort(points, 0, len(points), cmp, 0, count-1)
}

// pqsort is Redis's pqsort.c (NetBSD's Bentley-McIlroy qsort, which only
// recurses into partitions that overlap the ranks lrange…rrange), on
// indexes: it sorts p[a:a+n] enough that ranks lrange…rrange are in place.
func pqsort(p []GeoPoint, a, n int, cmp func(a, b *GeoPoint) int, lrange, rrange int) {
	swap := func(i, j int) { p[i], p[j] = p[j], p[i] }
	insertion := func() {
		for pm := a + 1; pm < a+n; pm++ {
			for pl := pm; pl > a && cmp(&p[pl-1], &p[pl]) > 0; pl-- {
				swap(pl, pl-1)
			}
		}
	}
	med3 := func(x, y, z int) int {
		if cmp(&p[x], &p[y]) < 0 {
			if cmp(&p[y], &p[z]) < 0 {
				return y
			}
			if cmp(&p[x], &p[z]) < 0 {
				return z
			}
			return x
		}
		if cmp(&p[y], &p[z]) > 0 {
			return y
		}
		if cmp(&p[x], &p[z]) < 0 {
			return x
		}
		return z
	}
	vecswap := func(i, j, k int) {
		for ; k > 0; k-- {
			swap(i, j)
			i++
			j++
		}
	}
	overlaps := func(lo, cnt int) bool { return !(rrange < lo || lrange >= lo+cnt) }
	for {
		if n < 7 {
			insertion()
			return
		}
		pm := a + n/2
		if n > 7 {
			pl, pn := a, a+n-1
			if n > 40 {
				d := n / 8
				pl = med3(pl, pl+d, pl+2*d)
				pm = med3(pm-d, pm, pm+d)
				pn = med3(pn-2*d, pn-d, pn)
			}
			pm = med3(pl, pm, pn)
		}
		swap(a, pm)
		pa, pb := a+1, a+1
		pc, pd := a+n-1, a+n-1
		swapped := false
		for {
			for pb <= pc {
				r := cmp(&p[pb], &p[a])
				if r > 0 {
					break
				}
				if r == 0 {
					swapped = true
					swap(pa, pb)
					pa++
				}
				pb++
			}
			for pb <= pc {
				r := cmp(&p[pc], &p[a])
				if r < 0 {
					break
				}
				if r == 0 {
					swapped = true
					swap(pc, pd)
					pd--
				}
				pc--
			}
			if pb > pc {
				break
			}
			swap(pb, pc)
			swapped = true
			pb++
			pc--
		}
		if !swapped {
			insertion()
			return
		}
		pn := a + n
		r := min(pa-a, pb-pa)
		vecswap(a, pb-r, r)
		r = min(pd-pc, pn-pd-1)
		vecswap(pb, pn-r, r)
		if r = pb - pa; r > 1 && overlaps(a, r) {
			pqsort(p, a, r, cmp, lrange, rrange)
		}
		if r = pd - pc; r > 1 {
			a, n = pn-r, r
			if overlaps(a, n) {
				continue
			}
		}
		return
	}
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
