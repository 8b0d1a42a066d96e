package web

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"recours/internal/calendar"
	"recours/internal/cases"
	"recours/internal/domain"
	"recours/internal/store"
)

// What was written to the claimant, on the file's page and the notice's:
// each message in French, and in the embedded default its outbox files
// (.eml, .pdf) to download, so an agent sees exactly what would be sent.

// uiMessage is one message as the pages show it.
type uiMessage struct {
	ID   uint
	Kind string
	// Of is the kind as the link to its files reads: « de l'accusé de
	// réception ».
	Of          string
	Channel     string
	Status      string
	StatusClass string
	SMS         string
	Attempts    int
	At          string
	// EML and PDF are the download links of its outbox files, when any.
	EML, PDF string
}

var (
	uiMessageChannels = map[string]string{
		"email": "Courriel", "letter": "Courrier postal", "sms": "SMS",
		"outbox": "Dossier de sortie (démonstration : rien n'est envoyé)",
	}
	uiMessageStatuses = map[string]string{
		domain.MessageSent: "envoyé", domain.MessageFailed: "échec de l'envoi",
		domain.MessageBounced: "refusé par le destinataire",
	}
)

// uiMessageKind names a message's kind in French, capitalised for a
// table: « L'accusé de réception ».
func uiMessageKind(kind string) string {
	l := domain.MessageLabels[kind]
	if l == "" {
		return "Message"
	}
	return strings.ToUpper(l[:1]) + l[1:]
}

func uiMessageStatusClass(status string) string {
	switch status {
	case domain.MessageSent:
		return "sla-ok"
	case domain.MessageBounced:
		return "sla-target"
	}
	return "sla-overdue"
}

// uiMessages lists the messages of a file or notice; base is the page's
// path, under which its outbox files are served.
func (s *Server) uiMessages(ctx context.Context, ownerID, base string) ([]uiMessage, error) {
	rows, err := s.Store.Messages(ctx, ownerID)
	if err != nil {
		return nil, err
	}
	// Only the files there are offered; a link out of the folder is none.
	var root *os.Root
	if s.OutboxDir != "" {
		if root, err = os.OpenRoot(s.OutboxDir); err == nil {
			defer root.Close()
		}
	}
	exists := func(name string, ok bool) bool {
		if !ok || root == nil {
			return false
		}
		info, err := root.Stat(name)
		return err == nil && info.Mode().IsRegular()
	}
	out := make([]uiMessage, 0, len(rows))
	for _, r := range rows {
		m := uiMessage{ID: r.ID, Kind: uiMessageKind(r.Kind), Channel: uiLabel(uiMessageChannels, r.Channel),
			Status: uiLabel(uiMessageStatuses, r.Status), StatusClass: uiMessageStatusClass(r.Status),
			Attempts: r.Attempts, Of: "du message"}
		if l := domain.MessageLabels[r.Kind]; l != "" {
			m.Of = "de " + l
		}
		if r.SMS != "" {
			m.SMS = uiLabel(uiMessageStatuses, r.SMS)
		}
		at := r.UpdatedAt
		if r.SentAt != nil {
			at = *r.SentAt
		}
		m.At = at.In(calendar.Paris).Format("02/01/2006 à 15:04")
		link := base + "/messages/" + strconv.FormatUint(uint64(r.ID), 10) + "/"
		if exists(s.outboxFile(ownerID, r, "eml")) {
			m.EML = link + "eml"
		}
		if exists(s.outboxFile(ownerID, r, "pdf")) {
			m.PDF = link + "pdf"
		}
		out = append(out, m)
	}
	return out, nil
}

// outboxFile is the name, inside the outbox folder, of the message's
// file of that format (eml or pdf): only when the message went to the
// outbox, its reference names a file directly in the configured folder
// (by its name; or, recorded before references held names, by a path
// into that folder), and that file's name is the owner's
// (<owner>-<kind>-v<version>…). A reference that points anywhere else is
// never served.
func (s *Server) outboxFile(ownerID string, m store.ClaimantMessage, format string) (string, bool) {
	if s.OutboxDir == "" || m.CaseID != ownerID || m.Channel != "outbox" || m.Status != domain.MessageSent {
		return "", false
	}
	eml, pdf, ok := strings.Cut(m.Reference, ".eml ")
	if !ok {
		return "", false
	}
	name := eml + ".eml"
	if format == "pdf" {
		name = pdf
	} else if format != "eml" {
		return "", false
	}
	if filepath.IsAbs(name) {
		dir, err := filepath.Abs(s.OutboxDir)
		if err != nil || filepath.Dir(filepath.Clean(name)) != dir {
			return "", false
		}
		name = filepath.Base(name)
	} else if name != filepath.Base(name) || !filepath.IsLocal(name) {
		return "", false
	}
	if filepath.Ext(name) != "."+format || !strings.HasPrefix(name, ownerID+"-") {
		return "", false
	}
	return name, true
}

// uiServeMessage sends the outbox file of message n of the owner, opened
// through an os.Root on the outbox folder, so that not even a link inside
// it leads out; 404 for anything else.
func (s *Server) uiServeMessage(c *gin.Context, ownerID string) {
	format := c.Param("format")
	n, err := strconv.ParseUint(c.Param("n"), 10, 64)
	if err != nil || (format != "eml" && format != "pdf") {
		s.uiError(c, http.StatusNotFound, "Ce message n'existe pas.")
		return
	}
	rows, err := s.Store.Messages(c.Request.Context(), ownerID)
	if err != nil {
		s.uiFail(c, err)
		return
	}
	var name string
	found := false
	for _, r := range rows {
		if uint64(r.ID) == n {
			name, found = s.outboxFile(ownerID, r, format)
			break
		}
	}
	if !found {
		s.uiError(c, http.StatusNotFound, "Ce message n'a pas de fichier dans le dossier de sortie.")
		return
	}
	root, err := os.OpenRoot(s.OutboxDir)
	if err != nil {
		s.uiError(c, http.StatusNotFound, "Le dossier de sortie est introuvable.")
		return
	}
	defer root.Close()
	f, err := root.Open(name)
	if err != nil {
		s.uiError(c, http.StatusNotFound, "Le fichier de ce message est introuvable dans le dossier de sortie.")
		return
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil || !info.Mode().IsRegular() {
		s.uiError(c, http.StatusNotFound, "Le fichier de ce message est introuvable dans le dossier de sortie.")
		return
	}
	kind := "message/rfc822"
	if format == "pdf" {
		kind = "application/pdf"
	}
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Header("Content-Length", strconv.FormatInt(info.Size(), 10))
	c.Header("Content-Type", kind)
	c.Status(http.StatusOK)
	_, _ = io.Copy(c.Writer, f)
}

// uiCaseMessage serves a file's message after the file page's own read
// check, and records the read.
func (s *Server) uiCaseMessage(c *gin.Context) {
	file, err := s.Cases.Readable(c.Request.Context(), principal(c), c.Param("id"))
	if err != nil {
		s.uiFail(c, err)
		return
	}
	if !s.recordRead(c, file, cases.ReadMessage) {
		return
	}
	s.uiServeMessage(c, file.ID)
}

// uiMessageEvents rewrites the timeline's message events in French: what
// was sent, on which channel, with which result; never the outbox paths
// or the idempotency key.
func uiMessageEvents(events []domain.Event) []domain.Event {
	for i, ev := range events {
		if ev.Action != domain.EventMessageSent && ev.Action != domain.EventMessageFailed {
			continue
		}
		d := map[string]any{}
		if k, ok := ev.Details["kind"]; ok {
			d["kind"] = uiMessageKind(toString(k))
		}
		if ch, ok := ev.Details["channel"]; ok {
			d["channel"] = uiLabel(uiMessageChannels, ch)
		}
		if st, ok := ev.Details["status"]; ok {
			d["status"] = uiLabel(uiMessageStatuses, st)
		}
		if e, ok := ev.Details["error"]; ok && toString(e) != "" {
			d["reason"] = toString(e)
		}
		events[i].Details = d
	}
	return events
}

func toString(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return ""
}
