package domain_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"recours/internal/domain"
)

func TestRedactMessageError_NoClaimantNoPath(t *testing.T) {
	c := domain.Claimant{Number: "1234567", Name: "Éric Mai", Representative: &domain.Representative{Name: "Association Aide"}}
	for in, want := range map[string]string{
		`550 <eric.mai@example.org>: user unknown`:                     `550 <[adresse]>: user unknown`,
		`refused "Éric MAI" 1234567, mail box full`:                    `refused "[nom]" [numéro], mail box full`,
		`copy for ASSOCIATION aide refused`:                            `copy for [nom] refused`,
		`messages: outbox: mkdir /var/lib/recours/outbox: not a dir`:   `messages: outbox: mkdir outbox: not a dir`,
		`link /srv/a/.tmp-1 /srv/a/x-v2.pdf: file exists`:              `link .tmp-1 x-v2.pdf: file exists`,
		`Post "https://sms.example/api/send": timeout`:                 `Post "https://sms.example/api/send": timeout`,
		`open "/data/recours/letters/x.pdf": permission denied (Éric)`: `open "x.pdf": permission denied ([nom])`,
	} {
		assert.Equal(t, want, domain.RedactMessageError(in, c), in)
	}
}

func TestPublicMessageReference_NamesNotPaths(t *testing.T) {
	for in, want := range map[string]string{
		"/var/lib/recours/outbox/a-acknowledgment-v2.eml /var/lib/recours/outbox/a-acknowledgment-v2.pdf": "a-acknowledgment-v2.eml a-acknowledgment-v2.pdf",
		"a-acknowledgment-v2.eml a-acknowledgment-v2.pdf":                                                 "a-acknowledgment-v2.eml a-acknowledgment-v2.pdf",
		"<a.acknowledgment@recours>":                                                                      "<a.acknowledgment@recours>",
		"/srv/mailroom/a_acknowledgment.pdf":                                                              "a_acknowledgment.pdf",
	} {
		assert.Equal(t, want, domain.PublicMessageReference(in), in)
	}
}
