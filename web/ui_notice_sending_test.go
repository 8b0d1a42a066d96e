package web

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"recours/internal/domain"
)

func TestUINoticeSending(t *testing.T) {
	ev := func(actions ...string) []domain.Event {
		var out []domain.Event
		for _, a := range actions {
			out = append(out, domain.Event{Action: a})
		}
		return out
	}
	for name, c := range map[string]struct {
		o    domain.Overpayment
		want bool
	}{
		"standard, just created":    {domain.Overpayment{Status: domain.OverpaymentReady, Events: ev("created")}, true},
		"standard, delivery failed": {domain.Overpayment{Status: domain.OverpaymentReady, Events: ev("created", domain.EventMessageFailed)}, false},
		"standard, sent again":      {domain.Overpayment{Status: domain.OverpaymentReady, Events: ev("created", domain.EventMessageFailed, "send")}, true},
		"large, waiting":            {domain.Overpayment{Large: true, Status: domain.OverpaymentPending, Events: ev("created", "explain")}, false},
		"large, sent for":           {domain.Overpayment{Large: true, Status: domain.OverpaymentReady, Events: ev("created", "explain", "record_call", "send")}, true},
		"large, delivery failed":    {domain.Overpayment{Large: true, Status: domain.OverpaymentReady, Events: ev("created", "send", domain.EventMessageFailed)}, false},
		"sent":                      {domain.Overpayment{Status: domain.OverpaymentSent, Events: ev("created", domain.EventMessageSent)}, false},
	} {
		assert.Equal(t, c.want, uiNoticeSending(c.o), name)
	}
}
