package domain

import (
	"reflect"
	"strconv"
	"strings"
	"unicode"
)

// Text fields take what a person types, and nothing that would make a
// page, a letter, a mail header or a log line say something else:
//   - no control character (NUL, escape, CR, LF...), except line breaks and
//     tabs in a field of several lines, tagged `text:"lines"`;
//   - no bidirectional embedding, override or isolate (U+202A–U+202E,
//     U+2066–U+2069), nor the line and paragraph separators U+2028 and
//     U+2029, which turn a name into text read backwards or on two lines;
//   - in a person's name, tagged `text:"name"`, none of « " \ < > » either:
//     the name goes into the To: header of the claimant's email, where a
//     quote or a backslash breaks the address (RFC 5322 §3.4).
//
// CheckText walks v (a struct, or a pointer, slice or map of them) and
// adds a problem for each string field at fault, named by its JSON path
// under prefix ("claimant.name").
func CheckText(p *Problems, prefix string, v any) {
	checkValue(p, prefix, reflect.ValueOf(v), "")
}

func checkValue(p *Problems, path string, v reflect.Value, tag string) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			checkValue(p, path, v.Elem(), tag)
		}
	case reflect.String:
		if msg := TextFault(v.String(), tag); msg != "" && !p.Has(path) {
			p.Add(path, msg)
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			sub := name
			if f.Anonymous && f.Tag.Get("json") == "" {
				sub = strings.TrimSuffix(path, ".")
			} else if path != "" {
				sub = path + "." + name
			}
			checkValue(p, sub, v.Field(i), f.Tag.Get("text"))
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return // bytes, not text
		}
		for i := range v.Len() {
			checkValue(p, path+"["+strconv.Itoa(i)+"]", v.Index(i), tag)
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			key := path
			if it.Key().Kind() == reflect.String {
				if msg := TextFault(it.Key().String(), ""); msg != "" {
					p.Add(path, msg)
				}
				key = strings.TrimPrefix(path+"."+it.Key().String(), ".")
			}
			checkValue(p, key, it.Value(), tag)
		}
	}
}

// TextFault says what is wrong with s in a field of kind tag ("" one
// line, "lines" several, "name" a person's name), or "" when nothing is.
func TextFault(s, tag string) string {
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			if tag != "lines" {
				return "saut de ligne ou tabulation non permis dans ce champ"
			}
		case unicode.IsControl(r):
			return "caractère de contrôle non permis"
		case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069:
			return "caractère de mise en forme bidirectionnelle non permis"
		case r == 0x2028 || r == 0x2029:
			return "séparateur de ligne Unicode non permis"
		case tag == "name" && strings.ContainsRune(`"\<>`, r):
			return `un nom ne peut contenir ni guillemet droit ("), ni barre oblique inverse (\), ni chevron (< >)`
		}
	}
	return ""
}
