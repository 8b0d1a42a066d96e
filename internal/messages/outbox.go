package messages

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// OutboxSender writes messages to a local folder instead of sending them:
// the embedded default, so a user sees exactly what would be sent. Each
// message becomes <dir>/<case>-<kind>-v<version>.eml and .pdf, readable
// by the process's user only (the folder 0700, the files 0600); a message
// already in the folder is not written again. Its reference names the two
// files by name, never by their path on the server.
type OutboxSender struct {
	Dir  string
	From string // the From address of the .eml files
}

// Paths are the .eml and .pdf files of m in the outbox.
func (s OutboxSender) Paths(m Message) (eml, pdf string) {
	std := m.CaseID + ":" + string(m.Kind)
	base := safeName(m.CaseID, '_') + "-" + string(m.Kind) + "-v" + strconv.Itoa(m.Version)
	if rest, ok := strings.CutPrefix(m.IdempotencyKey, std); ok && rest != "" {
		// A later occurrence (an answer after a reopening): its own files.
		base += safeName(rest, '-')
	}
	base = filepath.Join(s.Dir, base)
	return base + ".eml", base + ".pdf"
}

// Send writes m's email and letter to the outbox, each once.
func (s OutboxSender) Send(_ context.Context, m Message, to Recipient) (Outcome, error) {
	eml, pdf := s.Paths(m)
	out := Outcome{Channel: ChannelOutbox, Status: StatusFailed, Reference: filepath.Base(eml) + " " + filepath.Base(pdf), At: time.Now()}
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return out, fmt.Errorf("messages: outbox: %w", err)
	}
	wroteEML, err := writeOnce(eml, func(b *bytes.Buffer) error {
		if to.Email == "" {
			// The .eml shows the text even when the claimant has no address.
			to.Email = "destinataire-inconnu@invalid"
		}
		return WriteEmail(b, m, s.from(), to)
	})
	if err != nil {
		return out, err
	}
	wrotePDF, err := writeOnce(pdf, func(b *bytes.Buffer) error { return LetterRenderer{}.Render(b, m, to) })
	if err != nil {
		return out, err
	}
	out.Status = StatusSent
	out.AlreadySent = !wroteEML && !wrotePDF
	return out, nil
}

func (s OutboxSender) from() string {
	if s.From != "" {
		return s.From
	}
	return "ne-pas-repondre@recours.invalid"
}

// writeOnce writes what render produces to name unless name exists; it
// reports whether it wrote. The file appears whole or not at all, with
// mode 0600 (os.CreateTemp's, which the link keeps).
func writeOnce(name string, render func(*bytes.Buffer) error) (bool, error) {
	if _, err := os.Stat(name); err == nil {
		return false, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return false, fmt.Errorf("messages: outbox: %w", err)
	}
	var b bytes.Buffer
	if err := render(&b); err != nil {
		return false, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(name), ".tmp-*")
	if err != nil {
		return false, fmt.Errorf("messages: outbox: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b.Bytes()); err != nil {
		tmp.Close()
		return false, fmt.Errorf("messages: outbox: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return false, fmt.Errorf("messages: outbox: %w", err)
	}
	// Link fails if another writer got there first: the message stays single.
	if err := os.Link(tmp.Name(), name); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return false, nil
		}
		return false, fmt.Errorf("messages: outbox: %w", err)
	}
	return true, nil
}
