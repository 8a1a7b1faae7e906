package store

// LCSMatch is one common run found by LCS: a[AStart..AEnd] equals
// b[BStart..BEnd].
type LCSMatch struct {
	AStart, AEnd, BStart, BEnd int
}

// Len is the run's length.
func (m LCSMatch) Len() int { return m.AEnd - m.AStart + 1 }

// LCSStrings returns the two strings LCS compares (missing keys are
// empty). ErrWrongType means one key holds another type.
func (tx *Tx) LCSStrings(k1, k2 []byte) (a, b []byte, err error) {
	ea, eb := tx.lookupRead(k1), tx.lookupRead(k2)
	if (ea != nil && ea.kind() != KindString) || (eb != nil && eb.kind() != KindString) {
		return nil, nil, ErrWrongType
	}
	if ea != nil {
		a = ea.val()
	}
	if eb != nil {
		b = eb.val()
	}
	return a, b, nil
}

// LCSTableSize is the memory LCS needs for strings of these lengths.
func LCSTableSize(a, b []byte) int64 { return int64(len(a)+1) * int64(len(b)+1) * 4 }

// LCS computes the longest common subsequence of a and b with the dynamic
// programming table Redis uses, and walks it back the way Redis does, so
// the sequence and the matched runs (longest-index first, as Redis lists
// them) are the ones Redis returns.
func LCS(a, b []byte) (seq []byte, matches []LCSMatch) {
	alen, blen := len(a), len(b)
	w := blen + 1
	dp := make([]uint32, (alen+1)*w)
	for i := 1; i <= alen; i++ {
		for j := 1; j <= blen; j++ {
			if a[i-1] == b[j-1] {
				dp[i*w+j] = dp[(i-1)*w+j-1] + 1
			} else {
				dp[i*w+j] = max(dp[(i-1)*w+j], dp[i*w+j-1])
			}
		}
	}
	idx := int(dp[alen*w+blen])
	seq = make([]byte, idx)
	// Redis marks "no run in progress" with aStart == alen.
	aStart, aEnd, bStart, bEnd := alen, 0, 0, 0
	i, j := alen, blen
	for i > 0 && j > 0 {
		emit := false
		if a[i-1] == b[j-1] {
			seq[idx-1] = a[i-1]
			if aStart == alen {
				aStart, aEnd, bStart, bEnd = i-1, i-1, j-1, j-1
			} else if aStart == i && bStart == j {
				aStart--
				bStart--
			} else {
				emit = true
			}
			if aStart == 0 || bStart == 0 {
				emit = true
			}
			idx--
			i--
			j--
		} else {
			if dp[(i-1)*w+j] > dp[i*w+j-1] {
				i--
			} else {
				j--
			}
			if aStart != alen {
				emit = true
			}
		}
		if emit {
			matches = append(matches, LCSMatch{aStart, aEnd, bStart, bEnd})
			aStart = alen
		}
	}
	return seq, matches
}
