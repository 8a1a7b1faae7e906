package store

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
)

// This file is Redis's PFSELFTEST and PFDEBUG (hyperloglog.c), over the
// register code of hll.go.

// hllTestCycles is how many times PFSELFTEST fills the registers.
const hllTestCycles = 1000 // HLL_TEST_CYCLES

// HLLSelfTest is PFSELFTEST: it checks that the dense registers read back
// what was written without touching their neighbours, and that the
// estimate of up to 10 million distinct elements stays within six
// standard errors, sparse and dense agreeing (the sparse one must still
// be sparse while small). sparseMax is hll-sparse-max-bytes. It returns
// Redis's "TESTFAILED …" message, or "" when every check passes.
func HLLSelfTest(sparseMax int64) string {
	r := rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	dense := make([]byte, hllDenseSize)
	copy(dense, "HYLL")
	regs := dense[hllHdrSize:]
	var want [hllRegisters]uint8
	// Test 1: every register keeps its own value.
	for range hllTestCycles {
		for i := range hllRegisters {
			v := uint8(r.IntN(hllRegMax + 1))
			want[i] = v
			denseSet(regs, i, int(v))
		}
		for i := range hllRegisters {
			if v := denseGet(regs, i); v != int(want[i]) {
				return fmt.Sprintf("TESTFAILED Register %d should be %d but is %d", i, want[i], v)
			}
		}
	}
	// Test 2: approximation error, dense and sparse side by side.
	clear(regs)
	sparse := hllEdit{h: newHLL()}
	relerr := 1.04 / math.Sqrt(hllRegisters)
	checkpoint := int64(1)
	seed := r.Uint64()
	var ele [8]byte
	for j := int64(1); j <= 10_000_000; j++ {
		binary.LittleEndian.PutUint64(ele[:], uint64(j)^seed)
		index, count := hllPatLen(ele[:])
		hllDenseSet(regs, index, count)
		if sparse.add(ele[:], sparseMax) < 0 {
			return "TESTFAILED sparse HyperLogLog corrupted"
		}
		if j != checkpoint {
			continue
		}
		if j < sparseMax/2 && sparse.h[4] != hllEncSparse {
			return "TESTFAILED sparse encoding not used"
		}
		dc, _ := hllCount(dense)
		sc, _ := hllCount(sparse.h)
		if dc != sc {
			return "TESTFAILED dense/sparse disagree"
		}
		abserr := checkpoint - int64(dc)
		maxerr := int64(math.Ceil(relerr * 6 * float64(checkpoint)))
		if j == 10 {
			// Collisions make a larger error likely now and then at 10.
			maxerr = 1
		}
		if abserr < 0 {
			abserr = -abserr
		}
		if abserr > maxerr {
			return fmt.Sprintf("TESTFAILED Too big error. card:%d abserr:%d", checkpoint, abserr)
		}
		checkpoint *= 10
	}
	return ""
}

// HLLDebugOp is a PFDEBUG subcommand.
type HLLDebugOp uint8

// PFDEBUG subcommands.
const (
	HLLGetReg    HLLDebugOp = iota // the 16384 registers (makes the HyperLogLog dense)
	HLLDecode                      // the sparse opcodes, as text
	HLLEncoding                    // "dense" or "sparse"
	HLLToDense                     // make it dense; 1 if it was sparse
	HLLCheckOnly                   // only the key checks (an unknown subcommand's)
)

// HLLDebugResult is PFDEBUG's answer: Registers for GETREG, Text for
// DECODE and ENCODING, Converted for TODENSE.
type HLLDebugResult struct {
	Registers []int64
	Text      string
	Converted bool
}

// ErrHLLNoKey and ErrHLLNotSparse are PFDEBUG's own errors.
var (
	ErrHLLNoKey     = fmt.Errorf("the specified key does not exist")
	ErrHLLNotSparse = fmt.Errorf("HLL encoding is not sparse")
)

// PFDebug runs a PFDEBUG subcommand on the HyperLogLog at key. GETREG and
// TODENSE convert a sparse one to dense, a change that is written (Redis
// counts it dirty) but raises no keyspace event.
func (tx *Tx) PFDebug(op HLLDebugOp, key []byte) (HLLDebugResult, error) {
	var res HLLDebugResult
	e := tx.lookupWrite(key)
	if e == nil {
		return res, ErrHLLNoKey
	}
	h, err := hllOf(e)
	if err != nil {
		return res, err
	}
	e.markRaw() // Redis unshares the string first
	switch op {
	case HLLEncoding:
		res.Text = "dense"
		if h[4] == hllEncSparse {
			res.Text = "sparse"
		}
	case HLLDecode:
		if h[4] != hllEncSparse {
			return res, ErrHLLNotSparse
		}
		res.Text = hllDecode(h)
	case HLLGetReg, HLLToDense:
		if h[4] == hllEncSparse {
			ed := hllEdit{h: h}
			if !ed.toDense() {
				return res, ErrInvalidHLL
			}
			tx.hllSave(e, &ed, len(h), false)
			tx.notify(key, 0, "") // WATCH only, as Redis's dirty++
			h = ed.h
			res.Converted = true
		}
		if op == HLLGetReg {
			res.Registers = make([]int64, hllRegisters)
			for i := range res.Registers {
				res.Registers[i] = int64(denseGet(h[hllHdrSize:], i))
			}
		}
	}
	return res, nil
}

// hllDecode renders a sparse body's opcodes as PFDEBUG DECODE does:
// "z:len", "Z:len" and "v:value,len", space-separated.
func hllDecode(h []byte) string {
	var b strings.Builder
	for p := hllHdrSize; p < len(h); {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		switch op := h[p]; {
		case sparseIsZero(op):
			b.WriteString("z:" + strconv.Itoa(sparseZeroLen(op)))
			p++
		case sparseIsXZero(op):
			b.WriteString("Z:" + strconv.Itoa(sparseXZeroLen(h, p)))
			p += 2
		default:
			b.WriteString("v:" + strconv.Itoa(sparseValValue(op)) + "," + strconv.Itoa(sparseValLen(op)))
			p++
		}
	}
	return b.String()
}
