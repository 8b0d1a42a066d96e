package domain

import (
	"cmp"
	"path"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// What the API, the pages and the timeline say of a message's delivery
// never names a path on the server, nor the claimant: a channel's error
// often repeats the recipient, and an outbox's or a mail room's the files
// it could not write.

var (
	emailLike = regexp.MustCompile(`[^\s<>"'@]+@[^\s<>"']+`)
	phoneLike = regexp.MustCompile(`\+?[0-9][0-9 .\-]{8,}[0-9]`)
	// pathLike is an absolute path as an error names it: after a space, a
	// quote, a parenthesis or an equals sign (never a URL's "//").
	pathLike = regexp.MustCompile(`(?:^|[\s"'(=])/[^/\s"'(),;][^\s"'(),;]*`)
)

// RedactMessageError is text, why a message to claimant c failed, as it
// may be recorded and shown: email addresses, phone numbers, c's claimant
// number, c's and their representative's names (whole, and each word of
// three letters or more, in any case) are blotted out, and every absolute
// path becomes its last element (the file's name).
func RedactMessageError(text string, c Claimant) string {
	text = emailLike.ReplaceAllString(text, "[adresse]")
	text = phoneLike.ReplaceAllString(text, "[numéro]")
	if n := strings.TrimSpace(c.Number); n != "" {
		text = strings.ReplaceAll(text, n, "[numéro]")
	}
	names := []string{c.Name}
	if c.Representative != nil {
		names = append(names, c.Representative.Name)
	}
	var words []string
	for _, n := range names {
		if n = strings.TrimSpace(n); n == "" {
			continue
		}
		words = append(words, n)
		for _, w := range strings.FieldsFunc(n, func(r rune) bool { return r == ' ' || r == '-' || r == '\'' || r == '’' }) {
			if utf8.RuneCountInString(w) >= 3 {
				words = append(words, w)
			}
		}
	}
	// The longest first: the whole name before its words.
	slices.SortStableFunc(words, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	for _, w := range words {
		// As a word, not inside one (« Mai » leaves « mail » alone); twice,
		// for a word repeated with one separator between.
		re := regexp.MustCompile(`(?i)(^|[^\pL\pN])` + regexp.QuoteMeta(w) + `($|[^\pL\pN])`)
		text = re.ReplaceAllString(re.ReplaceAllString(text, "${1}[nom]${2}"), "${1}[nom]${2}")
	}
	return stripPaths(text)
}

// PublicMessageReference is ref, what a channel says it sent (a
// Message-ID, the files an outbox or a mail room wrote, a provider's id),
// as it may be shown: each absolute path becomes its file's name. The
// channels name their files by name alone; references recorded before
// they did held paths.
func PublicMessageReference(ref string) string {
	if !strings.Contains(ref, "/") {
		return ref
	}
	fields := strings.Fields(ref)
	for i, f := range fields {
		if strings.HasPrefix(f, "/") {
			fields[i] = path.Base(f)
		}
	}
	return strings.Join(fields, " ")
}

// stripPaths replaces every absolute path in text by its last element.
func stripPaths(text string) string {
	return pathLike.ReplaceAllStringFunc(text, func(m string) string {
		i := strings.IndexByte(m, '/')
		return m[:i] + path.Base(m[i:])
	})
}
