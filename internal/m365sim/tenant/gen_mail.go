package tenant

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// memberBox is where the generator files one member's mail.
type memberBox struct {
	mb          *Mailbox
	custom      []*MailFolder // custom folders, in creation order
	newsletters *MailFolder
}

// mail creates every member's custom folders, then mail threads until each
// mailbox holds about its lognormally drawn share of MessagesPerUser.
// A message between members lands in the sender's Sent Items and in each
// recipient's mailbox, as in Exchange, so counts run a little above the
// target for members who receive a lot.
func (g *generator) mail() error {
	boxes := make([]*memberBox, len(g.members))
	for i, u := range g.members {
		b, err := g.mailFolders(u)
		if err != nil {
			return fmt.Errorf("folders of %s: %w", u.UPN, err)
		}
		boxes[i] = b
	}
	r := newRand(g.t.Seed, "mail")
	targets := make([]int, len(g.members))
	for i := range targets {
		targets[i] = r.countAround(g.o.MessagesPerUser)
	}
	counts := make([]int, len(g.members))
	thread := 0
	for i := range g.members {
		for counts[i] < targets[i] {
			g.thread(i, thread, boxes, counts)
			thread++
		}
		if g.o.MessagesPerUser > 0 {
			g.drafts(r, i, boxes[i])
		}
	}
	return nil
}

// mailFolders creates the custom folder tree of mailFolderTree in u's
// mailbox.
func (g *generator) mailFolders(u *User) (*memberBox, error) {
	mb := u.Mailbox
	b := &memberBox{mb: mb}
	byPath := map[string]*MailFolder{}
	for _, f := range mailFolderTree {
		key := f.parent + "\x00" + strings.Join(f.path, "\x00")
		parent := mb.Folder(f.parent)
		if len(f.path) > 1 {
			parent = byPath[f.parent+"\x00"+strings.Join(f.path[:len(f.path)-1], "\x00")]
		}
		if parent == nil {
			return nil, fmt.Errorf("no parent for folder %q", f.path)
		}
		name := f.path[len(f.path)-1]
		mf := g.t.AddFolder(mb, parent.ID, name)
		byPath[key] = mf
		b.custom = append(b.custom, mf)
		if name == "Newsletters" {
			b.newsletters = mf
		}
	}
	return b, nil
}

// thread generates one conversation involving member owner: an opening
// message, then replies to all participants, possibly ending in a forward.
func (g *generator) thread(owner, n int, boxes []*memberBox, counts []int) {
	tr := newRand(g.t.Seed, "thread", n)
	me := g.people[owner]
	convSeed := SeedOf(g.t.Seed, "conv", n)
	th := &threadState{
		convSeed: convSeed,
		convID:   encodeID("AAQkA", convSeed, SeedOf(convSeed, 1)),
		folders:  map[*User]*MailFolder{},
		start:    g.ago(tr, 120*24*time.Hour, 3*365*24*time.Hour),
	}
	subj := pick(tr, subjects)
	if strings.Contains(subj, "%s") {
		subj = fmt.Sprintf(subj, pick(tr, projects))
	}
	if tr.chance(0.01) {
		subj += " – " + strings.Repeat("very long subject line ", 12)
	}
	if tr.chance(0.12) { // a notification or newsletter: one message from outside
		from := pick(tr, g.bulk)
		mi := g.compose(tr, th, from, []*person{me}, nil, subj, th.start, nil, 0, false)
		g.deliver(tr, mi, boxes, counts, th)
		return
	}
	parts := []*person{me}
	size := 1 + tr.between(1, 3)
	for tries := 0; len(parts) < size && tries < 20; tries++ {
		var p *person
		if tr.chance(0.45) {
			p = pick(tr, g.people)
		} else {
			p = pick(tr, g.extern)
		}
		if !slices.Contains(parts, p) {
			parts = append(parts, p)
		}
	}
	if len(parts) == 1 {
		parts = append(parts, g.extern[0])
	}
	sender := parts[1]
	if tr.chance(0.4) {
		sender = me
	}
	at := th.start
	var prev *mailItem
	for depth := 0; depth < 8; depth++ {
		var to, cc []*person
		subject, fw := subj, false
		switch {
		case depth == 0:
			rest := without(parts, sender)
			to, cc = rest[:1], rest[1:]
		case tr.chance(0.12):
			fw, sender, subject = true, me, "FW: "+subj
			to = []*person{pick(tr, append(slices.Clone(g.people), g.extern...))}
			if slices.Contains(parts, to[0]) {
				to = []*person{g.extern[(depth+n)%len(g.extern)]}
				if to[0] == me || slices.Contains(parts, to[0]) {
					return
				}
			}
		default:
			next := pick(tr, without(parts, prev.from))
			to = []*person{prev.from}
			cc = without(without(parts, next), prev.from)
			sender, subject = next, "RE: "+subj
		}
		mi := g.compose(tr, th, sender, to, cc, subject, at, prev, depth, fw)
		g.deliver(tr, mi, boxes, counts, th)
		prev = mi
		if fw || !tr.chance(0.45) {
			return
		}
		at = at.Add(time.Duration(tr.lognormal(90, 1.5, 1, 14400)) * time.Minute)
		if at.After(g.o.Now) {
			return
		}
	}
}

// threadState is what the messages of one conversation share.
type threadState struct {
	convSeed uint64
	convID   string
	start    time.Time
	folders  map[*User]*MailFolder // the folder each recipient files the thread in
}

func without(ps []*person, x *person) []*person {
	out := make([]*person, 0, len(ps))
	for _, p := range ps {
		if p != x {
			out = append(out, p)
		}
	}
	return out
}

// mailAttachmentTypes are the file types people attach to mail.
var mailAttachmentTypes = []string{"pdf", "docx", "xlsx", "pptx", "jpg", "png", "zip", "csv", "txt"}

// compose builds a message. Its MIME size is drawn lognormally (median
// 28 KB, a tail to several MB): the body grows with it up to a few KB and
// the rest becomes attachments, or an inline image for mid-sized messages.
func (g *generator) compose(tr *genRand, th *threadState, from *person, to, cc []*person,
	subject string, at time.Time, prev *mailItem, depth int, fw bool) *mailItem {
	seed := SeedOf(th.convSeed, "msg", depth)
	mi := &mailItem{seed: seed, subject: subject, from: from, to: to, cc: cc, sent: at,
		msgID: messageID(seed, from), convID: th.convID, importance: "normal",
		convIndex: conversationIndex(th.convSeed, th.start, depth)}
	if prev != nil {
		mi.inReplyTo = prev.msgID
		mi.references = strings.TrimSpace(prev.references + " " + prev.msgID)
	}
	switch x := tr.float(); {
	case x < 0.05:
		mi.importance = "high"
	case x < 0.07:
		mi.importance = "low"
	}
	size := tr.lognormal(28e3, 1.3, 3e3, g.o.MaxMessageSize)
	chars := int(max(150, min(6000, size/10)))
	rem := (size - int64(chars)*5/2 - 2500) * 3 / 4 // base64 inflates attachments by 4/3
	// Inline images come first, as they do in the rendered MIME
	// (multipart/related inside multipart/mixed), so that parsing $value
	// gives the attachments back in the same order.
	var files []attSpec
	if fw && prev != nil {
		for _, a := range prev.atts {
			if !a.inline {
				files = append(files, a) // a forward carries the same bytes
			}
		}
		rem = 0
	}
	logoCID := ""
	if from.logo != nil && tr.chance(0.85) {
		logoCID = fmt.Sprintf("image001.png@01DB%04X.%08X", seed%0x10000, uint32(seed>>16))
		mi.atts = append(mi.atts, attSpec{name: "image001.png", mime: "image/png", blob: from.logo, inline: true, cid: logoCID})
	}
	if rem > 3000 {
		if tr.chance(0.5) || rem > 300e3 {
			files = append(files, g.fileAttachments(tr, seed, rem)...)
		} else {
			cid := fmt.Sprintf("image002.png@01DB%04X.%08X", seed%0x10000, uint32(seed>>20))
			mi.atts = append(mi.atts, attSpec{name: "image002.png", mime: "image/png",
				blob: Generated{Seed: SeedOf(seed, "inline"), Len: rem}, inline: true, cid: cid})
		}
	}
	mi.atts = append(mi.atts, files...)
	var q *quoted
	if prev != nil {
		text := htmlToText(prev.html)
		if r := []rune(text); len(r) > 400 {
			text = string(r[:400])
		}
		q = &quoted{from: prev.from.name, subject: prev.subject, text: text, sent: prev.sent}
	}
	greeting := "Hi " + firstName(to) + ","
	mi.html = htmlBody(greeting, paragraphs(tr, chars), from.name, logoCID, q)
	mi.preview = bodyPreview(htmlToText(mi.html))
	return mi
}

func firstName(ps []*person) string {
	if len(ps) == 0 {
		return "all"
	}
	name, _, _ := strings.Cut(ps[0].name, " ")
	return name
}

// maxSharedAttachment keeps the larger shared documents (videos, decks)
// out of mail, where people share links to them instead.
const maxSharedAttachment = 3 << 20

// fileAttachments splits total bytes over one to three attachments; some
// are the tenant's shared documents, identical in every mailbox.
func (g *generator) fileAttachments(tr *genRand, seed uint64, total int64) []attSpec {
	n := 1
	if total > 1<<20 {
		n += tr.intn(3)
	}
	var out []attSpec
	for i := 0; i < n; i++ {
		if s := pick(tr, g.shared); tr.chance(0.3) && s.blob.Size() <= min(maxSharedAttachment, g.o.MaxMessageSize) {
			out = append(out, attSpec{name: s.name, mime: s.ft.mime, blob: s.blob})
			continue
		}
		ft := fileTypeByExt(pick(tr, mailAttachmentTypes))
		size := max(64, total/int64(n))
		out = append(out, attSpec{name: fileName(tr, ft, i+1), mime: ft.mime,
			blob: contentFor(SeedOf(seed, "att", i), ft, size)})
	}
	return out
}

// deliver stores the copies of mi: the sender's in Sent Items, each
// recipient's in the folder the thread is filed in.
func (g *generator) deliver(tr *genRand, mi *mailItem, boxes []*memberBox, counts []int, th *threadState) {
	if u := mi.from.user; u != nil {
		b := boxes[g.memberIndex(u)]
		m := g.newMessage(mi, mi.copyProps(mi.sent, true, false))
		g.t.AddMessage(b.mb, b.mb.Folder("sentitems"), m)
		counts[g.memberIndex(u)]++
	}
	seen := map[*User]bool{}
	for _, p := range append(slices.Clone(mi.to), mi.cc...) {
		u := p.user
		if u == nil || u == mi.from.user || seen[u] {
			continue
		}
		seen[u] = true
		idx := g.memberIndex(u)
		f := th.folders[u]
		if f == nil {
			f = g.fileFolder(tr, boxes[idx], mi.from)
			th.folders[u] = f
		}
		received := mi.sent.Add(time.Duration(2+tr.intn(40)) * time.Second)
		read := tr.chance(0.93)
		if g.o.Now.Sub(received) < 7*24*time.Hour {
			read = tr.chance(0.4)
		}
		props := mi.copyProps(received, read, false)
		decorate(tr, props, received)
		if slices.Contains(g.bulk, mi.from) {
			props["inferenceClassification"] = "other" // Outlook's "Other" tab
		}
		g.t.AddMessage(boxes[idx].mb, f, g.newMessage(mi, props))
		counts[idx]++
	}
}

// decorate sets a received copy's flag and categories the way people do:
// a few are flagged or completed, some carry categories.
func decorate(tr *genRand, props Props, received time.Time) {
	switch x := tr.float(); {
	case x < 0.07:
		props["flag"] = Props{"flagStatus": "flagged",
			"startDateTime": dateTimeTimeZone(received), "dueDateTime": dateTimeTimeZone(received.Add(72 * time.Hour))}
	case x < 0.10:
		props["flag"] = Props{"flagStatus": "complete",
			"startDateTime": dateTimeTimeZone(received), "dueDateTime": dateTimeTimeZone(received.Add(72 * time.Hour)),
			"completedDateTime": dateTimeTimeZone(received.Add(48 * time.Hour))}
	}
	if tr.chance(0.12) {
		cats := []any{pick(tr, categories)}
		if c := pick(tr, categories); tr.chance(0.3) && c != cats[0] {
			cats = append(cats, c)
		}
		props["categories"] = cats
	}
}

// fileFolder picks where a recipient keeps a thread.
func (g *generator) fileFolder(tr *genRand, b *memberBox, from *person) *MailFolder {
	if slices.Contains(g.bulk, from) {
		if tr.chance(0.15) {
			return b.mb.Folder("junkemail")
		}
		return b.newsletters
	}
	switch x := tr.float(); {
	case x < 0.68:
		return b.mb.Folder("inbox")
	case x < 0.95:
		return pick(tr, b.custom)
	case x < 0.98:
		return b.mb.Folder("archive")
	default:
		return b.mb.Folder("deleteditems")
	}
}

// drafts adds up to two unsent messages to the member's Drafts folder.
func (g *generator) drafts(r *genRand, i int, b *memberBox) {
	me := g.people[i]
	for d := r.intn(3); d > 0; d-- {
		n := r.intn(1 << 30)
		th := &threadState{convSeed: SeedOf(g.t.Seed, "draft", i, d), start: g.ago(r, 20*24*time.Hour, 90*24*time.Hour)}
		th.convID = encodeID("AAQkA", th.convSeed, uint64(n))
		mi := g.compose(r, th, me, []*person{pick(r, g.extern)}, nil, "Draft: "+pick(r, projects), th.start, nil, 0, false)
		props := mi.copyProps(th.start, true, true)
		props["sentDateTime"] = nil
		g.t.AddMessage(b.mb, b.mb.Folder("drafts"), g.newMessage(mi, props))
	}
}

// memberIndex returns u's index in g.members; u must be a member.
func (g *generator) memberIndex(u *User) int { return g.index[u] }
