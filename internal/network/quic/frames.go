package quic

// Frame types allowed in Initial packets (RFC 9000 §12.4).
const (
	framePadding         = 0x00
	framePing            = 0x01
	frameAck             = 0x02
	frameAckECN          = 0x03
	frameCrypto          = 0x06
	frameConnClose       = 0x1c
	frameConnCloseApp    = 0x1d
	maxAckRanges         = 256 // far above what a client Initial carries
	maxConnCloseReasonSz = 1 << 12
)

// walkFrames parses the frames of a decrypted Initial payload and calls
// onCrypto for each CRYPTO frame. It stops at the first malformed frame.
func walkFrames(p []byte, onCrypto func(off uint64, data []byte) error) error {
	for len(p) > 0 {
		typ := p[0]
		switch typ {
		case framePadding:
			i := 1
			for i < len(p) && p[i] == 0 {
				i++
			}
			p = p[i:]
			continue
		case framePing:
			p = p[1:]
			continue
		}
		ft, n, ok := readVarint(p)
		if !ok {
			return ErrFrame
		}
		p = p[n:]
		var err error
		switch ft {
		case frameAck, frameAckECN:
			p, err = skipAck(p, ft == frameAckECN)
		case frameCrypto:
			var off uint64
			var data []byte
			off, data, p, err = parseCrypto(p)
			if err == nil {
				err = onCrypto(off, data)
			}
		case frameConnClose, frameConnCloseApp:
			p, err = skipConnClose(p, ft == frameConnClose)
		default:
			return ErrFrame
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// skipVarints skips n varints.
func skipVarints(p []byte, n int) ([]byte, bool) {
	for ; n > 0; n-- {
		_, k, ok := readVarint(p)
		if !ok {
			return nil, false
		}
		p = p[k:]
	}
	return p, true
}

func skipAck(p []byte, ecn bool) ([]byte, error) {
	// Largest Acknowledged, ACK Delay, ACK Range Count, First ACK Range.
	p, ok := skipVarints(p, 2)
	if !ok {
		return nil, ErrFrame
	}
	count, n, ok := readVarint(p)
	if !ok || count > maxAckRanges {
		return nil, ErrFrame
	}
	p = p[n:]
	if p, ok = skipVarints(p, 1+2*int(count)); !ok {
		return nil, ErrFrame
	}
	if ecn {
		if p, ok = skipVarints(p, 3); !ok {
			return nil, ErrFrame
		}
	}
	return p, nil
}

func parseCrypto(p []byte) (off uint64, data, rest []byte, err error) {
	off, n, ok := readVarint(p)
	if !ok {
		return 0, nil, nil, ErrFrame
	}
	p = p[n:]
	length, n, ok := readVarint(p)
	if !ok || length > uint64(len(p)-n) {
		return 0, nil, nil, ErrFrame
	}
	p = p[n:]
	return off, p[:length], p[length:], nil
}

func skipConnClose(p []byte, transport bool) ([]byte, error) {
	k := 1 // error code
	if transport {
		k = 2 // and the frame type
	}
	p, ok := skipVarints(p, k)
	if !ok {
		return nil, ErrFrame
	}
	l, n, ok := readVarint(p)
	if !ok || l > maxConnCloseReasonSz || l > uint64(len(p)-n) {
		return nil, ErrFrame
	}
	return p[n+int(l):], nil
}

// walkFramesGQUIC parses the frames of a decrypted Initial payload of
// Google's T050/T051 versions, as nDPI reads them: padding, gQUIC ACK
// frames (0x40: 6 bytes, 0x60: 9 bytes), and CRYPTO data in frame 0x08
// (offset and length as varints).
func walkFramesGQUIC(p []byte, onCrypto func(off uint64, data []byte) error) error {
	for len(p) > 0 {
		switch p[0] {
		case framePadding:
			p = p[1:]
		case 0x40, 0x60:
			n := 6
			if p[0] == 0x60 {
				n = 9
			}
			if len(p) < n {
				return ErrFrame
			}
			p = p[n:]
		case 0x08:
			off, data, rest, err := parseCrypto(p[1:])
			if err != nil {
				return err
			}
			if err := onCrypto(off, data); err != nil {
				return err
			}
			p = rest
		default:
			return ErrFrame
		}
	}
	return nil
}
