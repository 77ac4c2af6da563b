package web

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
)

// favicon draws the lab's icon (a lens on the report's dark text colour),
// so that browsers asking for /favicon.ico on every page, reports
// included, get an image instead of an error in their console.
func favicon() []byte {
	const n = 32
	img := image.NewNRGBA(image.Rect(0, 0, n, n))
	dark := color.NRGBA{0x1b, 0x1b, 0x1b, 0xff}
	light := color.NRGBA{0xff, 0xff, 0xff, 0xff}
	for y := range n {
		for x := range n {
			dx, dy := x-13, y-13
			d := dx*dx + dy*dy
			switch {
			case d <= 6*6:
				img.Set(x, y, light)
			case d <= 10*10, x >= 18 && y >= 18 && x-y >= -3 && x-y <= 3:
				img.Set(x, y, dark) // the lens's rim and its handle
			}
		}
	}
	var buf bytes.Buffer
	png.Encode(&buf, img) // cannot fail on a bytes.Buffer
	return buf.Bytes()
}
