package reports

import (
	"fmt"
	"image/color"
)

// The series palette: one colour per lock, the same in every chart and in
// the winner map, so that a lock is found by its colour everywhere on the
// page. The first seven are Okabe and Ito's colour-blind-safe set (their
// yellow left out: too pale on white); the next nine, from Paul Tol's
// "muted" set and two darks of their own, are in the order that keeps each
// new colour farthest from those before it (their pale sand and cyan left
// out). No sixteen colours are all distinct to every eye: the chart's
// marker tells series apart too (seriesStyle).
var palette = []color.RGBA{
	{0x00, 0x72, 0xB2, 0xFF}, // blue
	{0xD5, 0x5E, 0x00, 0xFF}, // vermillion
	{0x00, 0x9E, 0x73, 0xFF}, // bluish green
	{0xCC, 0x79, 0xA7, 0xFF}, // reddish purple
	{0xE6, 0x9F, 0x00, 0xFF}, // orange
	{0x56, 0xB4, 0xE9, 0xFF}, // sky blue
	{0x00, 0x00, 0x00, 0xFF}, // black
	{0x99, 0x99, 0x33, 0xFF}, // olive
	{0x88, 0x22, 0x55, 0xFF}, // wine
	{0x88, 0x88, 0x88, 0xFF}, // grey
	{0x8C, 0x51, 0x0A, 0xFF}, // brown
	{0x33, 0x22, 0x88, 0xFF}, // indigo
	{0xCC, 0x66, 0x77, 0xFF}, // rose
	{0x44, 0xAA, 0x99, 0xFF}, // teal
	{0xAA, 0x44, 0x99, 0xFF}, // purple
	{0x11, 0x77, 0x33, 0xFF}, // green
}

// seriesIndex gives every column of the report's tables (every lock) its
// place in the palette: in the order the tables first show them.
func (r *Report) seriesIndex() map[string]int {
	idx := map[string]int{}
	for _, t := range r.Tables {
		for _, c := range t.Cols {
			if _, ok := idx[c]; !ok {
				idx[c] = len(idx)
			}
		}
	}
	return idx
}

// seriesColor is the colour of the series at index i.
func seriesColor(i int) color.RGBA { return palette[i%len(palette)] }

// cssColor writes a colour as CSS does: "#0072b2".
func cssColor(c color.RGBA) string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }
