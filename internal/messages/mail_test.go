package messages

import (
	"bytes"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
)

type parsedEmail struct {
	header  mail.Header
	subject string
	body    string
}

// readEmail parses a single-part email and decodes its subject and body.
func readEmail(raw []byte) (parsedEmail, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return parsedEmail{}, err
	}
	dec := new(mime.WordDecoder)
	subject, err := dec.DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		return parsedEmail{}, err
	}
	var r io.Reader = msg.Body
	switch strings.ToLower(msg.Header.Get("Content-Transfer-Encoding")) {
	case "quoted-printable":
		r = quotedprintable.NewReader(r)
	}
	body, err := io.ReadAll(r)
	if err != nil {
		return parsedEmail{}, err
	}
	return parsedEmail{header: msg.Header, subject: subject, body: string(body)}, nil
}
