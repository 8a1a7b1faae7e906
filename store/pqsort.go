package store

// pqsort sorts the part of v that ends up at indexes lrange..rrange, as
// Redis's pqsort.c (NetBSD's qsort, recursing only into the parts that
// overlap the window), which SORT ... BY ... LIMIT and GEOSEARCH ... COUNT
// use instead of qsort. Elements that compare equal end up in this
// algorithm's order, so the window holds the same ones as Redis's.
func pqsort[T any](v []T, cmp func(a, b *T) int, lrange, rrange int) {
	pqsortPart(v, 0, len(v), cmp, lrange, rrange)
}

// pqsortPart is _pqsort on v[lo:lo+n].
func pqsortPart[T any](v []T, lo, n int, cmp func(a, b *T) int, lrange, rrange int) {
	swap := func(i, j int) { v[i], v[j] = v[j], v[i] }
	vecswap := func(i, j, k int) {
		for ; k > 0; i, j, k = i+1, j+1, k-1 {
			swap(i, j)
		}
	}
	med3 := func(a, b, c int) int {
		if cmp(&v[a], &v[b]) < 0 {
			switch {
			case cmp(&v[b], &v[c]) < 0:
				return b
			case cmp(&v[a], &v[c]) < 0:
				return c
			}
			return a
		}
		switch {
		case cmp(&v[b], &v[c]) > 0:
			return b
		case cmp(&v[a], &v[c]) < 0:
			return a
		}
		return c
	}
	// outside reports whether v[lo:lo+n] lies wholly before or after the
	// window, where the order does not matter.
	outside := func(lo, n int) bool {
		return (lrange < lo && rrange < lo) || (lrange >= lo+n && rrange >= lo+n)
	}
	for {
		if n < 7 { // insertion sort
			for pm := lo + 1; pm < lo+n; pm++ {
				for pl := pm; pl > lo && cmp(&v[pl-1], &v[pl]) > 0; pl-- {
					swap(pl, pl-1)
				}
			}
			return
		}
		pm := lo + n/2
		if n > 7 {
			pl, pn := lo, lo+n-1
			if n > 40 {
				d := n / 8
				pl = med3(pl, pl+d, pl+2*d)
				pm = med3(pm-d, pm, pm+d)
				pn = med3(pn-2*d, pn-d, pn)
			}
			pm = med3(pl, pm, pn)
		}
		swap(lo, pm)
		pa, pb := lo+1, lo+1
		pc, pd := lo+n-1, lo+n-1
		for {
			for pb <= pc {
				r := cmp(&v[pb], &v[lo])
				if r > 0 {
					break
				}
				if r == 0 {
					swap(pa, pb)
					pa++
				}
				pb++
			}
			for pb <= pc {
				r := cmp(&v[pc], &v[lo])
				if r < 0 {
					break
				}
				if r == 0 {
					swap(pc, pd)
					pd--
				}
				pc--
			}
			if pb > pc {
				break
			}
			swap(pb, pc)
			pb++
			pc--
		}
		pn := lo + n
		r := min(pa-lo, pb-pa)
		vecswap(lo, pb-r, r)
		r = min(pd-pc, pn-pd-1)
		vecswap(pb, pn-r, r)
		if r = pb - pa; r > 1 && !outside(lo, r) {
			pqsortPart(v, lo, r, cmp, lrange, rrange)
		}
		if r = pd - pc; r > 1 {
			lo, n = pn-r, r
			if !outside(lo, n) {
				continue // iterate rather than recurse, as the C
			}
		}
		return
	}
}
