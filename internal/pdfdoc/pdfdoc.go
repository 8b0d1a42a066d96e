// Package pdfdoc starts the PDF documents Recours writes, the letters to
// claimants and the annual report, and sets their text.
//
// A document whose text Windows-1252 holds (French, with « », œ, €, the
// typographic apostrophe and dashes) is set in Helvetica, one of the
// standard fonts every PDF reader has (ISO 32000-1, 9.6.2.2): nothing is
// embedded, and a letter is written in a fraction of a millisecond. Any
// other document embeds the DejaVu fonts (fonts/LICENSE), so that a name in
// Polish or Romanian prints as it is written.
package pdfdoc

import (
	_ "embed" // the fonts
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/text/encoding/charmap"
)

// As byte slices, so that a document in Helvetica copies nothing.
var (
	//go:embed fonts/DejaVuSans.ttf
	fontRegular []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	fontBold []byte
)

// Info is what a document says of itself.
type Info struct {
	Title, Subject, Author string
	// At is the document's date; the same content at the same date gives
	// the same file.
	At time.Time
}

// Doc is an A4 document measured in points, its cells without inner
// margins, its pages broken by the caller.
type Doc struct {
	*fpdf.Fpdf
	family   string
	standard bool
}

// New starts a document whose text comes from texts, with its fixed
// wording: they decide the font.
func New(info Info, texts ...string) *Doc {
	d := &Doc{Fpdf: fpdf.New("P", "pt", "A4", ""), family: "Helvetica", standard: Standard(texts...)}
	d.SetAutoPageBreak(false, 0)
	d.SetCellMargin(0)
	// A letter's page is a few kilobytes of text: compressing it costs a
	// megabyte of deflate state for nothing a reader would notice.
	d.SetCompression(false)
	if !d.standard {
		d.family = "DejaVu"
		d.AddUTF8FontFromBytes(d.family, "", fontRegular)
		d.AddUTF8FontFromBytes(d.family, "B", fontBold)
	}
	d.SetTitle(info.Title, true)
	d.SetSubject(info.Subject, true)
	d.SetAuthor(info.Author, true)
	d.SetCreator("Recours", true)
	d.SetProducer("Recours", true)
	if !info.At.IsZero() {
		d.SetCreationDate(info.At)
		d.SetModificationDate(info.At)
	}
	return d
}

// Embedded tells whether the document embeds its fonts.
func (d *Doc) Embedded() bool { return !d.standard }

// Font sets the regular or bold font at size points.
func (d *Doc) Font(bold bool, size float64) {
	style := ""
	if bold {
		style = "B"
	}
	d.SetFont(d.family, style, size)
}

// Lines splits s into lines that fit w in the current font, breaking at
// plain spaces only: never inside an amount or before a colon, where French
// typography puts no-break spaces. A word wider than w has a line of its
// own.
func (d *Doc) Lines(s string, w float64) []string {
	// Widths add up: the fonts are set without kerning.
	space := d.width(" ")
	var lines []string
	line, lineW := "", 0.0
	for i, word := range strings.Split(s, " ") {
		wordW := d.width(word)
		if i > 0 && lineW+space+wordW > w {
			lines = append(lines, line)
			line, lineW = word, wordW
			continue
		}
		if i > 0 {
			line, lineW = line+" ", lineW+space
		}
		line, lineW = line+word, lineW+wordW
	}
	return append(lines, line)
}

// width is the width of s in the current font.
func (d *Doc) width(s string) float64 {
	if d.standard {
		s = d.encode(s)
	}
	return d.GetStringWidth(s)
}

// Text writes s in the box (x, y, w, h), vertically centred, aligned "L",
// "R" or "C".
func (d *Doc) Text(x, y, w, h float64, s, align string) {
	d.SetXY(x, y)
	if d.standard {
		s = d.encode(s)
	}
	d.CellFormat(w, h, s, "", 0, align+"M", false, 0, "")
}

// substitutes are the characters of French typography that Windows-1252
// lacks, and what stands for them in Helvetica: the no-break space for
// the narrow ones (in numbers, before « : ; ! ? »), the en dash for the
// minus sign.
var substitutes = strings.NewReplacer("\u202f", "\u00a0", "\u2009", "\u00a0", "\u2007", "\u00a0", "\u2212", "\u2013")

// Standard tells whether Windows-1252, the encoding of the standard fonts,
// holds every character of texts.
func Standard(texts ...string) bool {
	for _, t := range texts {
		for _, r := range substitutes.Replace(t) {
			if _, ok := charmap.Windows1252.EncodeRune(r); !ok {
				return false
			}
		}
	}
	return true
}

// encode is s in Windows-1252. A character the texts given to New did not
// announce fails the document rather than print as something else.
func (d *Doc) encode(s string) string {
	s = substitutes.Replace(s)
	out := make([]byte, 0, len(s))
	for _, r := range s {
		b, ok := charmap.Windows1252.EncodeRune(r)
		if !ok {
			d.SetErrorf("pdfdoc: %q cannot be set in Helvetica: give its text to New", r)
			return ""
		}
		out = append(out, b)
	}
	return string(out)
}
