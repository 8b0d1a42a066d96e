package messages

import (
	"bytes"
	"compress/zlib"
	"context"
	_ "embed" // the fonts
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
)

// The DejaVu fonts (see fonts/LICENSE) are embedded so letters print
// accents and the € sign whatever the machine has installed; as byte
// slices, so that a letter does not copy 1.4 MB of fonts to start.
var (
	//go:embed fonts/DejaVuSans.ttf
	fontRegular []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	fontBold []byte
)

const (
	letterPageH   = 842.0 // A4 is 595 × 842 points
	letterMarginX = 60.0
	letterMarginT = 56.0
	letterBottom  = letterPageH - 60.0
	letterWidth   = 595.28 - 2*letterMarginX
	letterSize    = 10.5
)

// LetterRenderer writes a message as an A4 PDF letter: the Caf's header,
// the claimant's name and number, the date, the subject and the body, in
// DejaVu Sans (its subset embedded, see font.go).
type LetterRenderer struct{}

// Render writes m to w as a PDF letter addressed to to.
func (LetterRenderer) Render(w io.Writer, m Message, to Recipient) error {
	l, err := layLetter(m, to)
	if err != nil {
		return err
	}
	pdf, err := l.document(m)
	if err != nil {
		return fmt.Errorf("messages: letter: %w", err)
	}
	_, err = w.Write(pdf)
	return err
}

// layLetter lays m out as a letter to to.
func layLetter(m Message, to Recipient) (*letter, error) {
	fs, err := letterFaces()
	if err != nil {
		return nil, err
	}
	l := &letter{faces: fs}
	l.newPage()

	// The Caf's header, top left.
	l.para(letterMarginX, 250, m.Caf.Name, true, 12)
	for _, line := range strings.Split(m.Caf.Address, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			l.para(letterMarginX, 250, line, false, 9.5)
		}
	}
	// The claimant, to the right.
	x := letterMarginX + letterWidth - 220
	l.y = letterMarginT + 80
	if to.Name != "" {
		l.para(x, 220, to.Name, true, letterSize)
	}
	if to.Number != "" {
		l.para(x, 220, "Numéro allocataire : "+to.Number, false, letterSize)
	}
	l.y += 30
	at := m.At
	if at.IsZero() {
		at = time.Now()
	}
	l.para(x, 220, "Le "+FrenchDate(at), false, letterSize)
	l.y += 20
	l.para(letterMarginX, letterWidth, "Objet : "+m.Subject, true, letterSize)
	l.y += 10
	for _, p := range strings.Split(m.Body, "\n") {
		if strings.TrimSpace(p) == "" {
			l.y += letterSize * 0.8
			continue
		}
		l.para(letterMarginX, letterWidth, p, false, letterSize)
	}
	return l, nil
}

// LetterSender is the letter channel: it renders the letter and hands it
// to Post.
type LetterSender struct {
	Renderer LetterRenderer
	// Post takes the rendered PDF: a print service, a mail-room folder.
	Post func(ctx context.Context, m Message, to Recipient, pdf []byte) (reference string, err error)
}

// Send renders m and posts it.
func (s LetterSender) Send(ctx context.Context, m Message, to Recipient) (Outcome, error) {
	out := Outcome{Channel: ChannelLetter, Status: StatusFailed, At: time.Now()}
	var buf bytes.Buffer
	if err := s.Renderer.Render(&buf, m, to); err != nil {
		return out, err
	}
	if s.Post == nil {
		return out, fmt.Errorf("messages: no letter service configured")
	}
	ref, err := s.Post(ctx, m, to, buf.Bytes())
	if err != nil {
		return out, err
	}
	out.Status, out.Reference = StatusSent, ref
	return out, nil
}

// letter lays a letter out, page by page.
type letter struct {
	faces [2]*face       // regular, bold
	pages []bytes.Buffer // each page's content stream
	y     float64
	// drawn is the text drawn, font by font; extra marks a font whose
	// common subset lacks one of its characters.
	drawn [2][]string
	extra [2]bool
	runes []rune
	units []int
}

func (l *letter) newPage() {
	l.pages = append(l.pages, bytes.Buffer{})
	l.y = letterMarginT
}

// para writes s wrapped to w from (x, l.y) and moves l.y below it.
func (l *letter) para(x, w float64, s string, bold bool, size float64) {
	fi := 0
	if bold {
		fi = 1
	}
	f := l.faces[fi]
	l.drawn[fi] = append(l.drawn[fi], s)
	l.runes, l.units = l.runes[:0], l.units[:0]
	for _, r := range s {
		g := f.glyphOf(r)
		l.extra[fi] = l.extra[fi] || !f.inCommon[g]
		l.runes = append(l.runes, r)
		l.units = append(l.units, f.width[g])
	}
	lines := wrap(l.runes, l.units, size, w)
	if len(lines) == 0 {
		lines = [][2]int{{0, 0}}
	}
	lh := size * 1.45
	for _, ln := range lines {
		if l.y+lh > letterBottom {
			l.newPage()
		}
		if ln[1] > ln[0] {
			// The line in the middle of its cell, as gopdf placed it.
			base := letterPageH - l.y - lh*0.5 - (f.ascent+f.descent)*size*0.5
			c := &l.pages[len(l.pages)-1]
			b := c.AvailableBuffer()
			b = append(b, "BT\n/F"...)
			b = strconv.AppendInt(b, int64(fi+1), 10)
			b = append(b, ' ')
			b = strconv.AppendFloat(b, size, 'f', -1, 64)
			b = append(b, " Tf\n"...)
			b = strconv.AppendFloat(b, x, 'f', 2, 64)
			b = append(b, ' ')
			b = strconv.AppendFloat(b, base, 'f', 2, 64)
			b = append(b, " Td\n<"...)
			for _, r := range l.runes[ln[0]:ln[1]] {
				g := f.glyphOf(r)
				b = append(b, hexDigits[g>>12], hexDigits[g>>8&0xf], hexDigits[g>>4&0xf], hexDigits[g&0xf])
			}
			b = append(b, "> Tj\nET\n"...)
			c.Write(b)
		}
		l.y += lh
	}
}

const hexDigits = "0123456789ABCDEF"

// wrap cuts a paragraph into lines no wider than width points, the
// characters' advances given in thousandths of an em at size: at the last
// space that fits (the space dropped), or within a word longer than a
// line. It breaks where gopdf's SplitTextWithWordWrap did. Each line is a
// range of runes.
func wrap(runes []rune, units []int, size, width float64) [][2]int {
	var out [][2]int
	start, sum := 0, 0
	for i := 0; i < len(runes); i++ {
		if float64(sum)*(size/1000)+float64(units[i])*(size/1000) > width && runes[i] != '\n' && i > start {
			br := -1
			for k := i - 1; k > start; k-- {
				if runes[k] == ' ' {
					br = k
					break
				}
			}
			if br > 0 {
				out = append(out, [2]int{start, br})
				start, sum, i = br+1, 0, br
				continue
			}
			out = append(out, [2]int{start, i})
			start, sum = i, 0
			i--
			continue
		}
		if runes[i] == '\n' {
			out = append(out, [2]int{start, i})
			start, sum = i+1, 0
			continue
		}
		sum += units[i]
		if i == len(runes)-1 {
			out = append(out, [2]int{start, len(runes)})
		}
	}
	return out
}

// document is the letter as a PDF file: the catalog, the page tree and
// the information dictionary, then each font (Type0 over a CIDFontType2,
// glyph numbers as CIDs, its widths, its ToUnicode map, its descriptor and
// its program), then each page and its content.
func (l *letter) document(m Message) ([]byte, error) {
	var embeds [2]*embedding
	for i, f := range l.faces {
		embeds[i] = f.common
		if l.extra[i] {
			e, err := f.embed(f.runesOf(l.drawn[i]), zlib.BestSpeed)
			if err != nil {
				return nil, err
			}
			embeds[i] = e
		}
	}
	const firstPage = 14
	p := &pdfFile{}
	p.b.Grow(len(embeds[0].program) + len(embeds[1].program) + 8192*len(l.pages))
	p.b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	p.object(1, "<< /Type /Catalog /Pages 2 0 R >>")
	kids := make([]string, len(l.pages))
	for i := range l.pages {
		kids[i] = strconv.Itoa(firstPage+2*i) + " 0 R"
	}
	p.object(2, "<< /Type /Pages /Kids ["+strings.Join(kids, " ")+"] /Count "+strconv.Itoa(len(l.pages))+" >>")
	p.object(3, "<< /Title "+pdfString(m.Subject)+" /Author "+pdfString(m.Caf.Name)+" /Creator (Recours) /Producer (Recours) >>")
	for i, e := range embeds {
		k := 4 + 5*i
		ref := func(d int) string { return strconv.Itoa(k+d) + " 0 R" }
		p.object(k, "<< /Type /Font /Subtype /Type0 /BaseFont /"+e.name+" /Encoding /Identity-H /DescendantFonts ["+ref(1)+"] /ToUnicode "+ref(2)+" >>")
		p.object(k+1, "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /"+e.name+
			" /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor "+ref(3)+
			" /CIDToGIDMap /Identity /W ["+e.widths+"] >>")
		p.stream(k+2, "/Filter /FlateDecode", e.toUnicode)
		p.object(k+3, "<< /Type /FontDescriptor /FontName /"+e.name+" "+l.faces[i].descriptor+" /FontFile2 "+ref(4)+" >>")
		p.stream(k+4, "/Filter /FlateDecode /Length1 "+strconv.Itoa(e.length1), e.program)
	}
	for i := range l.pages {
		content, err := deflate(l.pages[i].Bytes(), zlib.BestSpeed)
		if err != nil {
			return nil, err
		}
		n := firstPage + 2*i
		p.object(n, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R /F2 9 0 R >> /ProcSet [/PDF /Text] >> /Contents "+
			strconv.Itoa(n+1)+" 0 R >>")
		p.stream(n+1, "/Filter /FlateDecode", content)
	}
	return p.finish(3), nil
}

// pdfFile writes a PDF's objects and, at the end, their cross-reference
// table.
type pdfFile struct {
	b   bytes.Buffer
	off []int
}

func (p *pdfFile) begin(n int) {
	for len(p.off) < n {
		p.off = append(p.off, 0)
	}
	p.off[n-1] = p.b.Len()
	p.b.WriteString(strconv.Itoa(n))
	p.b.WriteString(" 0 obj\n")
}

func (p *pdfFile) object(n int, body string) {
	p.begin(n)
	p.b.WriteString(body)
	p.b.WriteString("\nendobj\n")
}

func (p *pdfFile) stream(n int, dict string, data []byte) {
	p.begin(n)
	p.b.WriteString("<< " + dict + " /Length " + strconv.Itoa(len(data)) + " >>\nstream\n")
	p.b.Write(data)
	p.b.WriteString("\nendstream\nendobj\n")
}

// finish writes the cross-reference table and the trailer, info being the
// information dictionary's object.
func (p *pdfFile) finish(info int) []byte {
	xref := p.b.Len()
	fmt.Fprintf(&p.b, "xref\n0 %d\n0000000000 65535 f \n", len(p.off)+1)
	for _, o := range p.off {
		fmt.Fprintf(&p.b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&p.b, "trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(p.off)+1, info, xref)
	return p.b.Bytes()
}

// pdfString is s as a PDF text string: literal when plain ASCII, else
// UTF-16 with its byte-order mark.
func pdfString(s string) string {
	ascii := true
	for _, r := range s {
		if r < 0x20 || r > 0x7e {
			ascii = false
			break
		}
	}
	if ascii {
		return "(" + strings.NewReplacer("\\", "\\\\", "(", "\\(", ")", "\\)").Replace(s) + ")"
	}
	b := []byte("<FEFF")
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, hexDigits[u>>12], hexDigits[u>>8&0xf], hexDigits[u>>4&0xf], hexDigits[u&0xf])
	}
	return string(append(b, '>'))
}
