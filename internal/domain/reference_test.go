package domain_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"recours/internal/domain"
)

func TestReferenceIsShortAndReadable(t *testing.T) {
	// The year is Paris's: a complaint registered at 23:30 UTC on 31
	// December is already in the next year there.
	newYear := time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC)
	s := domain.SeriesOf("071", domain.KindComplaint, "", newYear)
	assert.Equal(t, "071-R-2027-004512", s.Reference(4512))
	assert.Equal(t, "071-M-2026-0087", domain.SeriesOf("071", domain.KindMediation, "claimant", newYear.Add(-2*time.Hour)).Reference(87))
	assert.Equal(t, "071-D-2026-0003", domain.SeriesOf("071", domain.KindMediation, string(domain.OriginDDD), newYear.Add(-2*time.Hour)).Reference(3))
	// A year past the width keeps every digit.
	assert.Equal(t, "071-M-2026-12345", domain.ReferenceSeries{Caf: "071", Letter: "M", Year: 2026}.Reference(12345))
}

func TestParseReferenceReadsWhatIsTyped(t *testing.T) {
	for typed, want := range map[string]string{
		"071-R-2026-004512":  "071-R-2026-004512",
		" 071-r-2026-004512": "071-R-2026-004512",
		"071 R 2026 004512":  "071-R-2026-004512",
		"071R2026004512":     "071-R-2026-004512",
		"071-R-2026-4512":    "071-R-2026-004512",
		"071-m-2026-87":      "071-M-2026-0087",
		"071-X-2026-0087":    "",
		"Garnier":            "",
		"1234567":            "",
	} {
		ref, caf, ok := domain.ParseReference(typed)
		assert.Equal(t, want != "", ok, typed)
		assert.Equal(t, want, ref, typed)
		if ok {
			assert.Equal(t, "071", caf)
		}
	}
	assert.Equal(t, int64(4512), domain.ReferenceNumber("071-R-2026-004512"))
	assert.Zero(t, domain.ReferenceNumber("AB-2019-77"))
}

func TestSearchKeysIgnoreAccentsCaseAndOrder(t *testing.T) {
	k := domain.NameKey("Hélène LEFÈVRE-Dupont")
	assert.Equal(t, "dupont helene lefevre", k)
	assert.Equal(t, k, domain.NameKey("  dupont  Lefevre, hélène "))
	assert.Equal(t, []string{"helene", "lef"}, domain.NameWords("HÉLÈNE lef"))
	for _, phone := range []string{"06 12 34 56 78", "+33 6 12 34 56 78", "0033612345678", "06.12.34.56.78"} {
		assert.Equal(t, "0612345678", domain.PhoneKey(phone), phone)
	}
	assert.Empty(t, domain.PhoneKey("1234567"), "a claimant number is not a phone")
	assert.Equal(t, "lucie.garnier@example.fr", domain.EmailKey(" Lucie.Garnier@Example.FR "))
}
