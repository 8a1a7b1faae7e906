package store

// stream decodes a stream payload. Not supported yet: RESTORE refuses it.
func (r *rdbReader) stream(v2 bool) (collection, error) {
	return nil, errBadData
}

// appendRDBStream serializes a stream. Not supported yet.
func appendRDBStream(b []byte, s *stream) ([]byte, bool) { return b, false }
