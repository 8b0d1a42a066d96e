package messages

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"strconv"
	"sync"
	"unicode/utf16"

	"github.com/signintech/gopdf/fontmaker/core"
)

// A letter embeds the subset of each font that it draws. Parsing a font,
// cutting its subset and compressing it were most of a letter's cost
// (BenchmarkLetter); they depend only on the glyphs the letter needs, so
// each font is parsed once per process, and the subset of the characters
// of French text (Latin letters with their accents, digits, punctuation,
// the euro sign) is cut and compressed once: every letter whose text keeps
// to them embeds those same bytes. A letter that needs another character
// (a claimant's name in Polish or Greek, say) gets a subset of its own,
// of the characters it draws.

// commonRanges are the characters of the common subset.
var commonRanges = [][2]rune{
	{0x0020, 0x007e}, // ASCII
	{0x00a0, 0x00ff}, // Latin-1 Supplement
	{0x0152, 0x0153}, // Œ œ
	{0x0178, 0x0178}, // Ÿ
	{0x02bc, 0x02bc}, // modifier apostrophe
	{0x2010, 0x2027}, // dashes, quotes, bullet, ellipsis
	{0x202f, 0x2030}, // narrow no-break space, per mille
	{0x2039, 0x203a}, // single guillemets
	{0x20ac, 0x20ac}, // euro sign
	{0x2116, 0x2116}, // numero sign
	{0x2122, 0x2122}, // trade mark
}

// face is one of the letter's fonts, parsed once.
type face struct {
	name    string // PostScript name
	data    []byte
	ttf     core.TTFParser
	glyph   map[rune]uint16 // the font's character map
	width   []int           // each glyph's advance, in thousandths of an em
	space   uint16          // the glyph of a character the font lacks (a space, as gopdf did)
	ascent  float64         // typographic ascender and descender, in ems
	descent float64
	// descriptor is the FontDescriptor's entries but its name and program.
	descriptor string
	// common is the subset of the common characters; inCommon marks its
	// glyphs.
	common   *embedding
	inCommon []bool
}

// embedding is what a letter writes of a font subset.
type embedding struct {
	name      string // the subset's PostScript name, tagged (ABCDEF+Name)
	program   []byte // the TrueType subset, zlib-compressed (FontFile2)
	length1   int    // its uncompressed length
	widths    string // the CIDFont's W array, glyph by glyph
	toUnicode []byte // the ToUnicode CMap, zlib-compressed
}

var (
	facesOnce sync.Once
	faces     [2]*face // regular, bold
	facesErr  error
)

// letterFaces parses the two fonts and cuts their common subsets, once.
func letterFaces() ([2]*face, error) {
	facesOnce.Do(func() {
		for i, f := range []struct {
			name string
			data []byte
		}{{"DejaVuSans", fontRegular}, {"DejaVuSans-Bold", fontBold}} {
			fc, err := parseFace(f.name, f.data)
			if err != nil {
				facesErr = fmt.Errorf("messages: font %s: %w", f.name, err)
				return
			}
			faces[i] = fc
		}
	})
	return faces, facesErr
}

func parseFace(name string, data []byte) (*face, error) {
	f := &face{name: name, data: data}
	f.ttf.SetUseKerning(false)
	if err := f.ttf.ParseFontData(data); err != nil {
		return nil, err
	}
	upem := int(f.ttf.UnitsPerEm())
	n := int(f.ttf.NumGlyphs())
	if upem == 0 || n == 0 || n > math.MaxUint16 || len(f.ttf.LocaTable) < n+1 {
		return nil, fmt.Errorf("unexpected font tables")
	}
	for _, t := range []string{"glyf", "head", "hhea", "hmtx", "loca", "maxp"} {
		if _, ok := f.ttf.GetTables()[t]; !ok {
			return nil, fmt.Errorf("no %s table", t)
		}
	}
	f.glyph = make(map[rune]uint16, len(f.ttf.Chars()))
	for r, g := range f.ttf.Chars() {
		if int(g) < n {
			f.glyph[rune(r)] = uint16(g)
		}
	}
	widths := f.ttf.Widths()
	f.width = make([]int, n)
	for g := range f.width {
		w := widths[min(g, len(widths)-1)]
		f.width[g] = int(w) * 1000 / upem
	}
	f.space = f.glyph[' ']
	f.ascent = float64(f.ttf.TypoAscender()) / float64(upem)
	f.descent = float64(f.ttf.TypoDescender()) / float64(upem)
	pdf := func(v int) int { return int(math.Round(float64(v) * 1000 / float64(upem))) }
	f.descriptor = fmt.Sprintf("/Ascent %d /CapHeight %d /Descent %d /Flags %d /FontBBox [%d %d %d %d] /ItalicAngle %d /StemV 0 /XHeight %d",
		pdf(f.ttf.Ascender()), pdf(f.ttf.CapHeight()), pdf(f.ttf.Descender()), f.ttf.Flag(),
		pdf(f.ttf.XMin()), pdf(f.ttf.YMin()), pdf(f.ttf.XMax()), pdf(f.ttf.YMax()), f.ttf.ItalicAngle(), pdf(f.ttf.XHeight()))

	var common []rune
	for _, rg := range commonRanges {
		for r := rg[0]; r <= rg[1]; r++ {
			if _, ok := f.glyph[r]; ok {
				common = append(common, r)
			}
		}
	}
	e, err := f.embed(common, zlib.BestCompression)
	if err != nil {
		return nil, err
	}
	f.common = e
	f.inCommon = make([]bool, n)
	for _, r := range common {
		f.inCommon[f.glyph[r]] = true
	}
	f.inCommon[f.space] = true
	return f, nil
}

// glyphOf is the glyph that draws r: a character the font lacks, or a
// control character, is drawn as a space.
func (f *face) glyphOf(r rune) uint16 {
	if r < 0x20 || r == 0x7f {
		return f.space
	}
	if g, ok := f.glyph[r]; ok {
		return g
	}
	return f.space
}

// runesOf are the characters of texts that f draws, each once.
func (f *face) runesOf(texts []string) []rune {
	seen := map[rune]bool{}
	var out []rune
	for _, s := range texts {
		for _, r := range s {
			if _, ok := f.glyph[r]; ok && !seen[r] {
				seen[r] = true
				out = append(out, r)
			}
		}
	}
	return out
}

// embed cuts the subset of f that draws runes (each of which the font
// has), compressed at level.
func (f *face) embed(runes []rune, level int) (*embedding, error) {
	n := len(f.width)
	// Each glyph drawn, with the first character it draws.
	drawn := map[uint16]rune{}
	for _, r := range runes {
		g := f.glyph[r]
		if prev, ok := drawn[g]; !ok || r < prev {
			drawn[g] = r
		}
	}
	keep := make([]bool, n)
	keep[0] = true // .notdef
	keep[f.space] = true
	stack := make([]uint16, 0, len(drawn)+2)
	stack = append(stack, 0, f.space)
	for g := range drawn {
		keep[g] = true
		stack = append(stack, g)
	}
	// Composite glyphs (accented letters) draw other glyphs: keep those too.
	for len(stack) > 0 {
		g := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, c := range f.components(g) {
			if int(c) < n && !keep[c] {
				keep[c] = true
				stack = append(stack, c)
			}
		}
	}
	program := f.subset(keep)

	gids := make([]uint16, 0, len(drawn))
	for g := range drawn {
		gids = append(gids, g)
	}
	slices.Sort(gids)
	e := &embedding{length1: len(program)}
	h := fnv.New64a()
	var b [2]byte
	for g, k := range keep {
		if k {
			binary.BigEndian.PutUint16(b[:], uint16(g))
			h.Write(b[:])
		}
	}
	tag, sum := make([]byte, 6), h.Sum64()
	for i := range tag {
		tag[i] = 'A' + byte(sum%26)
		sum /= 26
	}
	e.name = string(tag) + "+" + f.name

	// W: runs of consecutive glyphs, "first [w w …]".
	var w []byte
	for i := 0; i < len(gids); {
		j := i + 1
		for j < len(gids) && gids[j] == gids[j-1]+1 {
			j++
		}
		w = strconv.AppendUint(w, uint64(gids[i]), 10)
		w = append(w, " ["...)
		for k := i; k < j; k++ {
			if k > i {
				w = append(w, ' ')
			}
			w = strconv.AppendInt(w, int64(f.width[gids[k]]), 10)
		}
		w = append(w, "] "...)
		i = j
	}
	e.widths = string(w)

	var cmap bytes.Buffer
	cmap.WriteString("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n" +
		"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n" +
		"/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n" +
		"1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n")
	for i := 0; i < len(gids); i += 100 {
		chunk := gids[i:min(i+100, len(gids))]
		fmt.Fprintf(&cmap, "%d beginbfchar\n", len(chunk))
		for _, g := range chunk {
			fmt.Fprintf(&cmap, "<%04X> <", g)
			for _, u := range utf16.Encode([]rune{drawn[g]}) {
				fmt.Fprintf(&cmap, "%04X", u)
			}
			cmap.WriteString(">\n")
		}
		cmap.WriteString("endbfchar\n")
	}
	cmap.WriteString("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n")

	var err error
	if e.program, err = deflate(program, level); err != nil {
		return nil, err
	}
	if e.toUnicode, err = deflate(cmap.Bytes(), level); err != nil {
		return nil, err
	}
	return e, nil
}

// glyphData is glyph g's outline in the font's glyf table.
func (f *face) glyphData(g uint16) []byte {
	glyf := f.ttf.GetTables()["glyf"]
	start, end := int(glyf.Offset+f.ttf.LocaTable[g]), int(glyf.Offset+f.ttf.LocaTable[g+1])
	if start >= end || end > len(f.data) {
		return nil
	}
	return f.data[start:end]
}

// components are the glyphs a composite glyph is made of.
func (f *face) components(g uint16) []uint16 {
	d := f.glyphData(g)
	if len(d) < 10 || int16(binary.BigEndian.Uint16(d)) >= 0 {
		return nil
	}
	const (
		argsAreWords   = 0x0001
		haveScale      = 0x0008
		moreComponents = 0x0020
		haveXYScale    = 0x0040
		haveTwoByTwo   = 0x0080
	)
	var out []uint16
	for p := 10; p+4 <= len(d); {
		flags := binary.BigEndian.Uint16(d[p:])
		out = append(out, binary.BigEndian.Uint16(d[p+2:]))
		p += 4
		if flags&argsAreWords != 0 {
			p += 4
		} else {
			p += 2
		}
		switch {
		case flags&haveScale != 0:
			p += 2
		case flags&haveXYScale != 0:
			p += 4
		case flags&haveTwoByTwo != 0:
			p += 8
		}
		if flags&moreComponents == 0 {
			break
		}
	}
	return out
}

// subset is the TrueType font of f's glyphs marked in keep, under their
// own glyph numbers (the letter draws the font's glyph numbers, CIDs
// being glyph numbers): the others are left empty, without outline nor
// metrics. It has the tables a PDF's TrueType font program needs.
func (f *face) subset(keep []bool) []byte {
	tables := f.ttf.GetTables()
	n := len(keep)
	short := f.ttf.IsShortIndex

	var glyf []byte
	loca := make([]byte, 0, (n+1)*4)
	putLoca := func(off int) {
		if short {
			loca = binary.BigEndian.AppendUint16(loca, uint16(off/2))
		} else {
			loca = binary.BigEndian.AppendUint32(loca, uint32(off))
		}
	}
	for g := range n {
		putLoca(len(glyf))
		if keep[g] {
			glyf = append(glyf, f.glyphData(uint16(g))...)
			if short && len(glyf)%2 == 1 {
				glyf = append(glyf, 0)
			}
		}
	}
	putLoca(len(glyf))

	// hmtx: the metrics of the glyphs kept, zero for the others.
	hm := tables["hmtx"]
	hmtx := make([]byte, hm.Length)
	long := int(f.ttf.NumberOfHMetrics())
	src := f.data[hm.Offset : hm.Offset+hm.Length]
	for g := range n {
		if !keep[g] {
			continue
		}
		if g < long {
			copy(hmtx[4*g:4*g+4], src[4*g:])
		} else if p := 4*long + 2*(g-long); p+2 <= len(src) {
			copy(hmtx[p:p+2], src[p:])
		}
	}

	names := []string{"cvt ", "fpgm", "glyf", "head", "hhea", "hmtx", "loca", "maxp", "prep"} // sorted, as the directory must be
	var data [][]byte
	var tags []string
	for _, t := range names {
		var d []byte
		switch t {
		case "glyf":
			d = glyf
		case "loca":
			d = loca
		case "hmtx":
			d = hmtx
		default:
			e, ok := tables[t]
			if !ok {
				continue
			}
			d = f.data[e.Offset : e.Offset+e.Length]
		}
		tags, data = append(tags, t), append(data, d)
	}

	num := len(tags)
	sel := 0
	for 1<<(sel+1) <= num {
		sel++
	}
	var out []byte
	out = binary.BigEndian.AppendUint32(out, 0x00010000)
	out = binary.BigEndian.AppendUint16(out, uint16(num))
	out = binary.BigEndian.AppendUint16(out, uint16(16<<sel))
	out = binary.BigEndian.AppendUint16(out, uint16(sel))
	out = binary.BigEndian.AppendUint16(out, uint16(num*16-(16<<sel)))
	off := 12 + 16*num
	for i, t := range tags {
		out = append(out, t...)
		out = binary.BigEndian.AppendUint32(out, checksum(data[i]))
		out = binary.BigEndian.AppendUint32(out, uint32(off))
		out = binary.BigEndian.AppendUint32(out, uint32(len(data[i])))
		off += (len(data[i]) + 3) &^ 3
	}
	for _, d := range data {
		out = append(out, d...)
		for len(out)%4 != 0 {
			out = append(out, 0)
		}
	}
	return out
}

// checksum is a TrueType table's checksum.
func checksum(d []byte) uint32 {
	var sum uint32
	for i := 0; i < len(d); i += 4 {
		var w [4]byte
		copy(w[:], d[i:])
		sum += binary.BigEndian.Uint32(w[:])
	}
	return sum
}

// deflaters keeps zlib writers for reuse: a new one allocates about a
// megabyte of tables.
var deflaters [zlib.BestCompression + 1]sync.Pool

// deflate compresses d with zlib at level (0 to 9).
func deflate(d []byte, level int) ([]byte, error) {
	var b bytes.Buffer
	b.Grow(len(d)/3 + 64)
	pool := &deflaters[level]
	w, _ := pool.Get().(*zlib.Writer)
	if w == nil {
		var err error
		if w, err = zlib.NewWriterLevel(&b, level); err != nil {
			return nil, err
		}
	} else {
		w.Reset(&b)
	}
	if _, err := w.Write(d); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	pool.Put(w)
	return b.Bytes(), nil
}
