package domain_test

import (
	"strings"
	"testing"

	"recours/internal/domain"
)

// FuzzParseReference reads what is typed in a search or a file's URL: it
// never panics, and a reference it reads reads again as itself.
func FuzzParseReference(f *testing.F) {
	for _, s := range []string{"071-R-2026-004512", " 071-r-2026-004512", "071 R 2026 004512", "071R2026004512",
		"071-m-2026-87", "071-X-2026-0087", "Garnier", "1234567", "071R2026999999999999", "ǅǅǅ071R20264512", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ref, caf, ok := domain.ParseReference(s)
		if !ok {
			return
		}
		again, caf2, ok2 := domain.ParseReference(ref)
		if !ok2 || again != ref || caf2 != caf || !strings.HasPrefix(ref, caf+"-") {
			t.Fatalf("%q read as %q (Caf %s), which reads as %q (Caf %s, %v)", s, ref, caf, again, caf2, ok2)
		}
	})
}

// FuzzParseAmount reads an overpayment's amount as typed: it never
// panics, an amount it reads is positive and bounded, and written in
// French it reads again as itself.
func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"1500", "1499.99", "1 500,00", "0", "-1", "0.001", "1e3", "999999999999.99",
		"1\u202f500,5", "١٥٠٠", ".5", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cents, ok := domain.ParseAmount(s)
		if !ok {
			return
		}
		if cents <= 0 || cents > 100_000_000_00 {
			t.Fatalf("%q read as %d cents", s, cents)
		}
		french := strings.TrimSuffix(domain.FormatCents(cents), "\u00a0€")
		if again, ok := domain.ParseAmount(french); !ok || again != cents {
			t.Fatalf("%q read as %d cents, written %q, which reads as %d (%v)", s, cents, french, again, ok)
		}
	})
}

// TestParseReference_AYearOfLeadingZerosKeepsFourDigits: the fuzzer's
// first find, 000-R-0000-0000 read as 000-R-0-000000, no reference.
func TestParseReference_AYearOfLeadingZerosKeepsFourDigits(t *testing.T) {
	ref, _, ok := domain.ParseReference("000-r-0026-12")
	if !ok || ref != "000-R-0026-000012" {
		t.Fatalf("read as %q, %v", ref, ok)
	}
}
