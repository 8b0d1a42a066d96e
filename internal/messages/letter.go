package messages

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"recours/internal/domain"
	"recours/internal/pdfdoc"
)

const (
	letterMarginX = 60.0
	letterMarginT = 56.0
	letterBottom  = 842.0 - 60.0
	letterWidth   = 595.28 - 2*letterMarginX
	letterSize    = 10.5
)

// LetterRenderer writes a message as an A4 PDF letter: the Caf's header,
// the claimant's name and number, the date, the subject and the body.
// A French letter is set in Helvetica and embeds no font; one that names
// someone in another script embeds DejaVu (package pdfdoc).
type LetterRenderer struct{}

// Render writes m to w as a PDF letter addressed to to.
func (LetterRenderer) Render(w io.Writer, m Message, to Recipient) error {
	at := m.At
	if at.IsZero() {
		at = time.Now()
	}
	l := &letter{pdf: pdfdoc.New(pdfdoc.Info{Title: m.Subject, Author: m.Caf.Name, At: at},
		m.Subject, m.Body, m.Caf.Name, m.Caf.Address, to.Name, to.Address, to.Number, "Numéro allocataire : Le "+FrenchDate(at))}
	l.newPage()

	// The Caf's header, top left.
	l.para(letterMarginX, 250, m.Caf.Name, true, 12)
	for _, line := range domain.AddressLines(m.Caf.Address) {
		l.para(letterMarginX, 250, line, false, 9.5)
	}
	// The claimant, to the right.
	cafEnd := l.y
	x := letterMarginX + letterWidth - 220
	l.y = letterMarginT + 80
	if to.Name != "" {
		l.para(x, 220, to.Name, true, letterSize)
	}
	for _, line := range domain.AddressLines(to.Address) {
		l.para(x, 220, line, false, letterSize)
	}
	if to.Number != "" {
		l.para(x, 220, "Numéro allocataire : "+to.Number, false, letterSize)
	}
	l.y = max(l.y, cafEnd) + 30
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
	var buf bytes.Buffer
	if err := l.pdf.Output(&buf); err != nil {
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

// letter lays a letter out top to bottom.
type letter struct {
	pdf *pdfdoc.Doc
	y   float64
}

func (l *letter) newPage() {
	l.pdf.AddPage()
	l.y = letterMarginT
}

// para writes s wrapped to w from (x, l.y) and moves l.y below it.
func (l *letter) para(x, w float64, s string, bold bool, size float64) {
	l.pdf.Font(bold, size)
	lh := size * 1.45
	for _, line := range l.pdf.Lines(s, w) {
		if l.y+lh > letterBottom {
			l.newPage()
		}
		l.pdf.Text(x, l.y, w, lh, line, "L")
		l.y += lh
	}
}
