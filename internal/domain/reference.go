package domain

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"recours/internal/calendar"
)

// A file's reference is what the claimant is given in every letter and
// reads out over the phone: the Caf, a letter for the kind of file, the
// year it was registered and its number in that Caf and year, such as
// 071-R-2026-004512 (a complaint) or 071-M-2026-0087 (a mediation). Only
// digits, capitals and dashes: nothing to spell.
const (
	// RefComplaint marks a complaint (réclamation).
	RefComplaint = "R"
	// RefMediation marks a mediation request.
	RefMediation = "M"
	// RefReferral marks a Défenseur des droits referral.
	RefReferral = "D"
)

// ReferenceSeries is what a reference is numbered within: one Caf, one
// kind letter, one year.
type ReferenceSeries struct {
	Caf    string
	Letter string
	Year   int
}

// SeriesOf is the series of a file of kind (and origin) registered at now:
// the year is the one in Paris.
func SeriesOf(caf string, kind Kind, origin string, now time.Time) ReferenceSeries {
	letter := RefComplaint
	if kind == KindMediation {
		letter = RefMediation
		if origin == string(OriginDDD) {
			letter = RefReferral
		}
	}
	return ReferenceSeries{Caf: caf, Letter: letter, Year: now.In(calendar.Paris).Year()}
}

// Reference is the n-th reference of the series: six digits for
// complaints, four for mediations and referrals (more when a year runs
// past them).
func (s ReferenceSeries) Reference(n int64) string {
	width := 4
	if s.Letter == RefComplaint {
		width = 6
	}
	return fmt.Sprintf("%s-%s-%04d-%0*d", s.Caf, s.Letter, s.Year, width, n)
}

var referencePattern = regexp.MustCompile(`^([0-9]{3})-([RMD])-([0-9]{4})-([0-9]{1,9})$`)

// ParseReference reads a reference as typed: case, spaces and the dashes'
// absence ignored ("071 r 2026 4512" reads as 071-R-2026-004512). ok is
// false when s is not one.
func ParseReference(s string) (ref string, caf string, ok bool) {
	s = strings.ToUpper(strings.Join(strings.Fields(s), ""))
	if !strings.Contains(s, "-") && len(s) >= 12 {
		// 071R20264512: the dashes left out.
		s = s[:3] + "-" + s[3:4] + "-" + s[4:8] + "-" + s[8:]
	}
	m := referencePattern.FindStringSubmatch(s)
	if m == nil {
		return "", "", false
	}
	year, _ := strconv.Atoi(m[3])
	n, _ := strconv.ParseInt(m[4], 10, 64)
	return ReferenceSeries{Caf: m[1], Letter: m[2], Year: year}.Reference(n), m[1], true
}

// ReferenceNumber is the number a reference ends with (4512 for
// 071-R-2026-004512), what a search by its last digits matches; 0 for a
// reference not in this format (an imported one).
func ReferenceNumber(ref string) int64 {
	m := referencePattern.FindStringSubmatch(ref)
	if m == nil {
		return 0
	}
	n, _ := strconv.ParseInt(m[4], 10, 64)
	return n
}

// DisplayReference is how a file is named on a page or in a letter: its
// reference, or for a file registered before references, its id.
func (c Case) DisplayReference() string {
	if c.Reference != "" {
		return c.Reference
	}
	return c.ID
}

// foldAccents removes the accents: "Hélène Lefèvre" → "Helene Lefevre".
var foldAccents = transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)

// NameKey is how a claimant's name is searched: accents and case removed,
// every run of what is not a letter or a digit a single space, the words
// sorted, so that "Garnier Lucie", "lucie GARNIER" and "Lucie Garnier"
// have the same key. Both databases store and match this key, so they
// give the same answers.
func NameKey(name string) string {
	words := NameWords(name)
	slices.Sort(words) // the order of first and last names is not kept
	return strings.Join(words, " ")
}

// NameWords are the words of a name or a query as NameKey reads them.
func NameWords(s string) []string {
	folded, _, err := transform.String(foldAccents, s)
	if err != nil {
		folded = s
	}
	folded = strings.ToLower(folded)
	return strings.FieldsFunc(folded, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// PhoneKey is a phone number's digits in the national form: "+33 6 12 34
// 56 78", "0033612345678" and "06.12.34.56.78" all give "0612345678".
// Empty when s has fewer than 9 digits (not a phone number).
func PhoneKey(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	d := b.String()
	switch {
	case strings.HasPrefix(d, "0033"):
		d = "0" + d[4:]
	case strings.HasPrefix(strings.TrimSpace(s), "+33") && strings.HasPrefix(d, "33"):
		d = "0" + d[2:]
	}
	if len(d) < 9 {
		return ""
	}
	return d
}

// EmailKey is an email address as searched: trimmed, in lower case.
func EmailKey(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// FieldConfirmDuplicate is the field a duplicate's refusal names: sent
// true, it registers the file all the same.
const FieldConfirmDuplicate = "confirm_duplicate"

// DuplicateError refuses to register a file while the claimant has the
// open file dup of the same kind, benefit and reason: the agent checks it
// is not the same request, then confirms.
func DuplicateError(dup Case) error {
	msg := "l'allocataire a déjà un dossier ouvert pour cette prestation et ce motif : " + dup.DisplayReference()
	return &Error{Code: ECONFLICT, Message: msg + " ; si c'est une autre demande, envoyez confirm_duplicate: true",
		Fields: []FieldError{{Field: FieldConfirmDuplicate, Message: msg}}}
}

// OpenStatuses are the statuses of a file of kind k still being dealt
// with: a second request alike is likely the same one.
func OpenStatuses(k Kind) []Status {
	if k == KindMediation {
		return slices.Clone(openMediation)
	}
	return slices.Clone(openComplaint)
}
