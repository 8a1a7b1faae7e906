package store

import (
	"crypto/sha1"
	"encoding/binary"
)

// DEBUG DIGEST and DIGEST-VALUE, for tests that check a dataset survives
// a reload, a restart or a replay unchanged. The scheme is Redis's
// (debug.c): a key's digest mixes its name, type and value; the dataset's
// is the XOR of its keys' digests, so the order of a table does not
// matter. A value is mixed in as its canonical text (the collections'
// dump, in element order for lists and streams, sorted for the others),
// so two stores holding the same data agree whatever their encodings. As
// in Redis, an expiry counts by its presence only, and keys that have
// expired but are still held count too: a digest looks, it does not touch.

// Digest is the dataset's digest; all zeros when the store is empty.
func (tx *Tx) Digest() [sha1.Size]byte {
	var final [sha1.Size]byte
	for i, d := range tx.s.dbs {
		if d.keys.len() == 0 {
			continue
		}
		var id [4]byte
		binary.BigEndian.PutUint32(id[:], uint32(i))
		mixDigest(&final, id[:]) // the same keys in another database differ
		for j := 0; j < d.keys.len(); j++ {
			e := d.keys.at(j)
			var key [sha1.Size]byte
			mixDigest(&key, []byte(e.key))
			e.mixValueDigest(&key)
			xorDigest(&final, key[:])
		}
	}
	return final
}

// DigestValue is the digest of key's value in the current database; all
// zeros when there is no such key.
func (tx *Tx) DigestValue(key []byte) [sha1.Size]byte {
	var d [sha1.Size]byte
	if e := tx.db.keys.get(key); e != nil {
		e.mixValueDigest(&d)
	}
	return d
}

// mixValueDigest mixes e's type, value and whether it has an expiry into d.
func (e *entry) mixValueDigest(d *[sha1.Size]byte) {
	mixDigest(d, []byte{byte(e.kind())})
	if e.isColl() {
		mixDigest(d, []byte(e.coll().dump()))
	} else {
		mixDigest(d, e.val())
	}
	if e.expireAt != 0 {
		xorDigest(d, []byte("!!expire!!"))
	}
}

// xorDigest XORs the SHA-1 of b into d.
func xorDigest(d *[sha1.Size]byte, b []byte) {
	h := sha1.Sum(b)
	for i := range d {
		d[i] ^= h[i]
	}
}

// mixDigest XORs the SHA-1 of b into d, then replaces d by its own SHA-1,
// so that what is mixed in later depends on what came before.
func mixDigest(d *[sha1.Size]byte, b []byte) {
	xorDigest(d, b)
	*d = sha1.Sum(d[:])
}
