package tenant

import "fmt"

// fileType describes one kind of file the generator creates, with the
// MIME type OneDrive reports for it and the lognormal size parameters
// (median bytes, sigma) seen for such files.
type fileType struct {
	ext, mime string
	median    float64
	sigma     float64
	text      bool    // printable content (txt, csv)
	weight    float64 // share among generated files
	names     []string
}

var fileTypes = []fileType{
	{"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", 45e3, 1.0, false, 22,
		[]string{"Meeting notes %s", "Proposal – %s", "Protokoll %s", "Lebenslauf %s", "議事録 %s", "Statement of work #%s"}},
	{"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", 38e3, 1.1, false, 16,
		[]string{"Budget %s", "Forecast %s (v3)", "Timesheet %s", "Inventaire %s", "KPI 100%% %s"}},
	{"pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", 1.5e6, 1.0, false, 6,
		[]string{"Kickoff %s", "Quarterly review %s", "Présentation client %s"}},
	{"pdf", "application/pdf", 250e3, 1.2, false, 14,
		[]string{"Invoice %s", "Scan %s", "Contract signed %s", "Reisekosten %s", "Rechnung Nr. %s"}},
	{"jpg", "image/jpeg", 1.5e6, 0.7, false, 14,
		[]string{"IMG_%s", "Photo %s", "Whiteboard %s", "Team event %s"}},
	{"png", "image/png", 180e3, 1.0, false, 10,
		[]string{"Screenshot %s", "diagram-%s", "Logo draft %s"}},
	{"txt", "text/plain", 3e3, 1.2, true, 7,
		[]string{"notes %s", "todo %s", "readme %s", "passwords (old) %s"}},
	{"csv", "text/csv", 40e3, 1.3, true, 6,
		[]string{"export %s", "contacts %s", "data #%s"}},
	{"zip", "application/x-zip-compressed", 4e6, 1.2, false, 3,
		[]string{"archive %s", "Backup %s", "photos %s"}},
	{"mp4", "video/mp4", 20e6, 1.0, false, 2,
		[]string{"Recording %s", "Demo %s", "Screen capture %s"}},
}

var fileTypeWeights = func() []float64 {
	w := make([]float64, len(fileTypes))
	for i, ft := range fileTypes {
		w[i] = ft.weight
	}
	return w
}()

func fileTypeByExt(ext string) fileType {
	for _, ft := range fileTypes {
		if ft.ext == ext {
			return ft
		}
	}
	return fileType{ext: ext, mime: "application/octet-stream", median: 50e3, sigma: 1}
}

// sharedFile is content that many mailboxes and drives hold byte for byte
// (a handbook, a logo, a price list), so backups can deduplicate it.
type sharedFile struct {
	name string
	ft   fileType
	blob Blob
}

// sharedFiles returns the tenant's shared documents. Their content depends
// only on the tenant seed, so the generator and the mutator agree.
func sharedFiles(seed uint64) []sharedFile {
	specs := []struct {
		name, ext string
		size      int64
	}{
		{"Employee Handbook 2025.pdf", "pdf", 2_345_678},
		{"Brand guidelines.pptx", "pptx", 5_432_100},
		{"Price list Q3.xlsx", "xlsx", 87_654},
		{"Expense policy.docx", "docx", 123_456},
		{"Org chart.png", "png", 345_678},
		{"Welcome – Bienvenue – 欢迎.pdf", "pdf", 765_432},
		{"Holiday calendar.csv", "csv", 4_321},
		{"Security awareness.mp4", "mp4", 12_345_678},
	}
	out := make([]sharedFile, len(specs))
	for i, s := range specs {
		ft := fileTypeByExt(s.ext)
		out[i] = sharedFile{name: s.name, ft: ft,
			blob: Generated{Seed: SeedOf(seed, "shared", i), Len: s.size, Text: ft.text}}
	}
	return out
}

// fileName returns a name for a file of type ft, with the stem filled from
// a counter so names stay unique-ish within a drive.
func fileName(r *genRand, ft fileType, n int) string {
	stem := fmt.Sprintf(pick(r, ft.names), fmt.Sprintf("%d-%02d %d", 2021+r.intn(5), 1+r.intn(12), n))
	return stem + "." + ft.ext
}

// contentFor returns deterministic content of the given size for a file
// of type ft.
func contentFor(seed uint64, ft fileType, size int64) Blob {
	return Generated{Seed: seed, Len: size, Text: ft.text}
}
