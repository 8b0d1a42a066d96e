package messages

import (
	"bytes"
	"context"
	_ "embed" // the fonts
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/signintech/gopdf"
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
	letterFont    = "DejaVu"
	letterMarginX = 60.0
	letterMarginT = 56.0
	letterBottom  = 842.0 - 60.0
	letterWidth   = 595.28 - 2*letterMarginX
	letterSize    = 10.5
)

// LetterRenderer writes a message as an A4 PDF letter: the Caf's header,
// the claimant's name and number, the date, the subject and the body.
type LetterRenderer struct{}

// Render writes m to w as a PDF letter addressed to to.
func (LetterRenderer) Render(w io.Writer, m Message, to Recipient) error {
	l := &letter{pdf: &gopdf.GoPdf{}}
	l.pdf.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4, Unit: gopdf.UnitPT})
	l.pdf.SetInfo(gopdf.PdfInfo{Title: m.Subject, Author: m.Caf.Name, Creator: "Recours", Producer: "Recours"})
	for _, f := range []struct {
		name  string
		data  []byte
		style int
	}{{"DejaVuSans", fontRegular, gopdf.Regular}, {"DejaVuSans-Bold", fontBold, gopdf.Bold}} {
		if err := l.pdf.AddTTFFontDataWithOption(letterFont, f.data, gopdf.TtfOption{Style: f.style}); err != nil {
			return fmt.Errorf("messages: font %s: %w", f.name, err)
		}
	}
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
	if l.err != nil {
		return fmt.Errorf("messages: letter: %w", l.err)
	}
	var buf bytes.Buffer
	if _, err := l.pdf.WriteTo(&buf); err != nil {
		return fmt.Errorf("messages: letter: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
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

type letter struct {
	pdf *gopdf.GoPdf
	y   float64
	err error
}

func (l *letter) keep(err error) {
	if l.err == nil && err != nil {
		l.err = err
	}
}

func (l *letter) newPage() {
	l.pdf.AddPage()
	l.y = letterMarginT
}

// para writes s wrapped to w from (x, l.y) and moves l.y below it.
func (l *letter) para(x, w float64, s string, bold bool, size float64) {
	style := ""
	if bold {
		style = "B"
	}
	l.keep(l.pdf.SetFont(letterFont, style, size))
	lines, err := l.pdf.SplitTextWithWordWrap(s, w)
	if err != nil || len(lines) == 0 {
		lines = []string{s}
	}
	lh := size * 1.45
	for _, line := range lines {
		if l.y+lh > letterBottom {
			l.newPage()
		}
		l.pdf.SetXY(x, l.y)
		l.keep(l.pdf.CellWithOption(&gopdf.Rect{W: w, H: lh}, line, gopdf.CellOption{Align: gopdf.Left | gopdf.Middle}))
		l.y += lh
	}
}
