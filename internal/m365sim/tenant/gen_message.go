package tenant

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"strings"
	"time"
)

// mailItem is one sent message before delivery: everything its copies in
// the sender's and recipients' mailboxes share. Copies share the strings
// and attachment blobs, so a message in five mailboxes costs little more
// memory than one, and its attachments are identical bytes everywhere.
type mailItem struct {
	seed       uint64
	subject    string
	html       string
	preview    string
	from       *person
	to, cc     []*person
	sent       time.Time
	msgID      string // internetMessageId, with angle brackets
	convID     string
	convIndex  []byte
	inReplyTo  string
	references string
	importance string
	atts       []attSpec
}

// attSpec is an attachment shared by every copy of a mailItem.
type attSpec struct {
	name, mime string
	blob       Blob
	inline     bool
	cid        string
}

// hasFileAttachments reports whether any attachment is not inline; Graph's
// hasAttachments ignores inline images.
func (mi *mailItem) hasFileAttachments() bool {
	for _, a := range mi.atts {
		if !a.inline {
			return true
		}
	}
	return false
}

// dateTimeTimeZone formats t as Graph's dateTimeTimeZone in UTC.
// https://learn.microsoft.com/graph/api/resources/datetimetimezone
func dateTimeTimeZone(t time.Time) Props {
	return Props{"dateTime": t.UTC().Format("2006-01-02T15:04:05.0000000"), "timeZone": "UTC"}
}

func emailAddress(p *person) Props {
	return Props{"emailAddress": Props{"name": p.name, "address": p.address}}
}

func recipients(ps []*person) []any {
	out := make([]any, 0, len(ps))
	for _, p := range ps {
		out = append(out, emailAddress(p))
	}
	return out
}

// copyProps returns the Graph properties of one mailbox's copy of mi.
// https://learn.microsoft.com/graph/api/resources/message
func (mi *mailItem) copyProps(received time.Time, read, draft bool) Props {
	ts := Timestamp(received)
	return Props{
		"subject":                    mi.subject,
		"body":                       Props{"contentType": "html", "content": mi.html},
		"bodyPreview":                mi.preview,
		"importance":                 mi.importance,
		"from":                       emailAddress(mi.from),
		"sender":                     emailAddress(mi.from),
		"toRecipients":               recipients(mi.to),
		"ccRecipients":               recipients(mi.cc),
		"bccRecipients":              []any{},
		"replyTo":                    []any{},
		"sentDateTime":               Timestamp(mi.sent),
		"receivedDateTime":           ts,
		"createdDateTime":            ts,
		"lastModifiedDateTime":       ts,
		"internetMessageId":          mi.msgID,
		"conversationId":             mi.convID,
		"conversationIndex":          base64.StdEncoding.EncodeToString(mi.convIndex),
		"hasAttachments":             mi.hasFileAttachments(),
		"isRead":                     read,
		"isDraft":                    draft,
		"isReadReceiptRequested":     false,
		"isDeliveryReceiptRequested": false,
		"inferenceClassification":    "focused",
		"categories":                 []any{},
		"flag":                       Props{"flagStatus": "notFlagged"},
	}
}

// newMessage returns a mailbox copy of mi with fresh attachment ids.
func (g *generator) newMessage(mi *mailItem, props Props) *Message {
	m := &Message{Props: props}
	if mi.inReplyTo != "" {
		// In-Reply-To and References have no Graph property of their own;
		// keep them as the MAPI properties a restore would set, so RenderMIME
		// can write them.
		m.ExtProps = map[string]string{extInReplyTo: mi.inReplyTo, extReferences: mi.references}
	}
	for _, a := range mi.atts {
		m.Attachments = append(m.Attachments, &Attachment{
			ID:      g.t.NewOutlookID("AAMkAGI2AAABEgAQA"),
			Kind:    "file",
			Content: a.blob,
			Props:   attachmentProps(a.name, a.mime, a.blob.Size(), a.inline, a.cid, mi.sent),
		})
	}
	return m
}

// MAPI property ids (singleValueExtendedProperties) the emulator reads.
const (
	extInReplyTo  = "String 0x1042" // PidTagInReplyToId
	extReferences = "String 0x1039" // PidTagInternetReferences
)

// attachmentProps returns a fileAttachment's properties (content excluded).
// https://learn.microsoft.com/graph/api/resources/fileattachment
func attachmentProps(name, mime string, size int64, inline bool, cid string, modified time.Time) Props {
	p := Props{
		"@odata.type":          "#microsoft.graph.fileAttachment",
		"name":                 name,
		"contentType":          mime,
		"size":                 float64(size),
		"isInline":             inline,
		"contentId":            nil,
		"lastModifiedDateTime": Timestamp(modified),
	}
	if cid != "" {
		p["contentId"] = cid
	}
	return p
}

// exchangeServers name the mailbox servers in generated Message-IDs, in
// Exchange Online's "<hex>@<server>.<region>.prod.outlook.com" form.
var exchangeServers = []string{"BY5PR11MB4163", "DM6PR04MB6575", "AM0PR02MB5636", "PH0PR21MB1974"}

// messageID returns a deterministic internetMessageId for a message from p.
func messageID(seed uint64, p *person) string {
	if p.user != nil {
		srv := exchangeServers[seed%uint64(len(exchangeServers))]
		region := map[byte]string{'B': "namprd11", 'D': "namprd04", 'A': "eurprd02", 'P': "namprd21"}[srv[0]]
		return fmt.Sprintf("<%s%016X%08X@%s.%s.prod.outlook.com>", srv, seed, uint32(seed>>7), srv, region)
	}
	domain := p.address[strings.LastIndexByte(p.address, '@')+1:]
	return fmt.Sprintf("<%016x.%d@mail.%s>", seed, seed%100000, domain)
}

// conversationIndex returns Outlook's thread index: a 22-byte header
// (reserved byte, time, GUID) plus five bytes per reply.
func conversationIndex(convSeed uint64, start time.Time, depth int) []byte {
	b := make([]byte, 22+5*depth)
	b[0] = 1
	var ft [8]byte // FILETIME of the thread start; the header keeps its top 40 bits
	binary.BigEndian.PutUint64(ft[:], uint64(start.Unix()+11644473600)*10_000_000)
	copy(b[1:6], ft[:5])
	binary.BigEndian.PutUint64(b[6:14], SeedOf(convSeed, "guid1"))
	binary.BigEndian.PutUint64(b[14:22], SeedOf(convSeed, "guid2"))
	for i := 0; i < depth; i++ {
		binary.BigEndian.PutUint32(b[22+5*i:], uint32(SeedOf(convSeed, i)))
		b[26+5*i] = byte(i)
	}
	return b
}
