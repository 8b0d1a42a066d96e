// Package smtptest runs a real SMTP server (emersion/go-smtp) inside a
// test: it keeps what it receives and can refuse the first messages with a
// temporary error, so a test sees a retried delivery arrive once.
package smtptest

import (
	"bytes"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"
)

// Mail is one message the server accepted.
type Mail struct {
	From string
	To   []string
	Data []byte
}

// Server is an SMTP server listening on loopback.
type Server struct {
	Host string
	Port int

	mu        sync.Mutex
	failFirst int
	refused   int
	got       []Mail
}

// Start starts a server, stopped when the test ends, that refuses the
// first failFirst messages with "451 try again later".
func Start(t testing.TB, failFirst int) *Server {
	t.Helper()
	s := &Server{failFirst: failFirst}
	srv := smtp.NewServer(s)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("smtptest: %v", err)
	}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	s.Host, s.Port = "127.0.0.1", l.Addr().(*net.TCPAddr).Port
	return s
}

// Received returns the messages accepted so far.
func (s *Server) Received() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.got...)
}

// Refused is the number of messages refused so far.
func (s *Server) Refused() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refused
}

// NewSession implements smtp.Backend.
func (s *Server) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{srv: s}, nil }

type session struct {
	srv *Server
	cur Mail
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error { s.cur.From = from; return nil }
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.cur.To = append(s.cur.To, to)
	return nil
}
func (s *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.srv.mu.Lock()
	defer s.srv.mu.Unlock()
	if s.srv.failFirst > 0 {
		s.srv.failFirst--
		s.srv.refused++
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	s.cur.Data = data
	s.srv.got = append(s.srv.got, s.cur)
	return nil
}
func (s *session) Reset()        { s.cur = Mail{} }
func (s *session) Logout() error { return nil }

// Email is a parsed single-part email.
type Email struct {
	Header  mail.Header
	Subject string
	Body    string
}

// Parse parses a single-part email and decodes its subject and body.
func Parse(raw []byte) (Email, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return Email{}, err
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		return Email{}, err
	}
	var r io.Reader = msg.Body
	if strings.EqualFold(msg.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		r = quotedprintable.NewReader(r)
	}
	body, err := io.ReadAll(r)
	if err != nil {
		return Email{}, err
	}
	return Email{Header: msg.Header, Subject: subject, Body: string(body)}, nil
}
