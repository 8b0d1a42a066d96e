package domain

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseAmount(t *testing.T) {
	for in, want := range map[string]int64{
		"1500": 150000, "1500.00": 150000, "1499.99": 149999, "1 500,00": 150000, "0.01": 1, "12.5": 1250,
	} {
		got, ok := ParseAmount(in)
		assert.True(t, ok, in)
		assert.Equal(t, want, got, in)
	}
	for _, in := range []string{"", "-1500", "+3", "0", "0.00", "abc", "12.345", "1e3x", "NaN", "1500€", "99999999999", "3000/2", "15e2", "0x5dc", "1.", ".5"} {
		_, ok := ParseAmount(in)
		assert.False(t, ok, "%q must be refused", in)
	}
}

func TestFormatCents(t *testing.T) {
	assert.Equal(t, "1\u202f500,00\u00a0€", FormatCents(150000))
	assert.Equal(t, "0,07\u00a0€", FormatCents(7))
	assert.Equal(t, "1\u202f234\u202f567,89\u00a0€", FormatCents(123456789))
}

func TestNewOverpaymentValidation(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	good := NewOverpayment{Caf: "071", Claimant: Claimant{Number: "1234567"}, Benefit: "rsa",
		PeriodStart: "2025-01-01", PeriodEnd: "2025-06-30", Amount: "1500", Cause: "Ressources mises à jour."}
	cents, err := good.Validate(now)
	require.NoError(t, err)
	assert.Equal(t, int64(150000), cents)

	bad := good
	bad.Amount, bad.Benefit, bad.PeriodEnd = "-3", "unknown", "2024-01-01"
	bad.Explanation = &Explanation{Cause: "trop court"}
	_, err = bad.Validate(now)
	var de *Error
	require.ErrorAs(t, err, &de)
	fields := map[string]bool{}
	for _, f := range de.Fields {
		fields[f.Field] = true
	}
	for _, f := range []string{"amount", "benefit", "period_end", "explanation.cause", "explanation.period",
		"explanation.computation", "explanation.contest", "explanation.repayment", "explanation.right_to_error"} {
		assert.True(t, fields[f], "%s must be reported, got %v", f, de.Fields)
	}
}

func TestNoticeThreshold(t *testing.T) {
	now := time.Date(2026, 3, 6, 15, 0, 0, 0, time.UTC) // a Friday
	n := NewOverpayment{Caf: "071", Claimant: Claimant{Number: "1234567"}, Benefit: "rsa",
		PeriodStart: "2025-01-01", PeriodEnd: "2025-06-30", Cause: "Ressources mises à jour."}
	small := NewOverpaymentNotice("a", n, 149999, 0, "gca", now)
	assert.False(t, small.Large)
	assert.Equal(t, OverpaymentReady, small.Status)
	assert.Nil(t, small.CallDueAt)
	assert.NoError(t, small.Check(OverpaymentSend, OverpaymentArgs{}))

	large := NewOverpaymentNotice("b", n, 150000, 0, "gca", now)
	assert.True(t, large.Large)
	assert.Equal(t, OverpaymentPending, large.Status)
	// Friday: the reminder on Monday, the call due on Tuesday.
	assert.Equal(t, time.Monday, large.ReminderAt.Weekday())
	assert.Equal(t, time.Tuesday, large.CallDueAt.Weekday())
	assert.Equal(t, ECONFLICT, ErrorCode(large.Check(OverpaymentSend, OverpaymentArgs{})))

	local := NewOverpaymentNotice("c", n, 150000, 200000, "gca", now)
	assert.False(t, local.Large, "a Caf's own threshold applies")
}
