package userguard

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// errMalformed is wrapped by the binary decoders below.
var errMalformed = errors.New("malformed binary value")

// decodeSID turns a binary SID (MS-DTYP 2.4.2.2) into its string form and
// returns the number of bytes it used.
func decodeSID(b []byte) (string, int, error) {
	if len(b) < 8 {
		return "", 0, fmt.Errorf("sid: %w: %d bytes", errMalformed, len(b))
	}
	n := int(b[1])
	size := 8 + 4*n
	if b[0] != 1 || n > 15 || len(b) < size {
		return "", 0, fmt.Errorf("sid: %w: revision %d, %d sub-authorities, %d bytes", errMalformed, b[0], n, len(b))
	}
	var auth uint64
	for _, c := range b[2:8] {
		auth = auth<<8 | uint64(c)
	}
	var sb strings.Builder
	sb.WriteString("S-1-")
	sb.WriteString(strconv.FormatUint(auth, 10))
	for i := range n {
		sb.WriteByte('-')
		sb.WriteString(strconv.FormatUint(uint64(binary.LittleEndian.Uint32(b[8+4*i:])), 10))
	}
	return sb.String(), size, nil
}

// sidRID returns the last sub-authority of a SID string, or -1.
func sidRID(sid string) int {
	i := strings.LastIndexByte(sid, '-')
	if i < 0 {
		return -1
	}
	n, err := strconv.Atoi(sid[i+1:])
	if err != nil || strings.Count(sid, "-") < 3 {
		return -1
	}
	return n
}

// formatGUID prints a binary GUID (little-endian first three fields) in
// the usual 8-4-4-4-12 form.
func formatGUID(b []byte) string {
	return fmt.Sprintf("%08x-%04x-%04x-%x-%x", binary.LittleEndian.Uint32(b[0:4]),
		binary.LittleEndian.Uint16(b[4:6]), binary.LittleEndian.Uint16(b[6:8]), b[8:10], b[10:16])
}

// ACE types and flags used here (MS-DTYP 2.4.4.1).
const (
	aceAccessAllowed       = 0x00
	aceAccessAllowedObject = 0x05
	aceInheritOnly         = 0x08
	aceObjectTypePresent   = 0x1
	aceInheritedObjPresent = 0x2
)

// ace is one access-allowed entry of a DACL. Deny entries are skipped:
// the rules ask who is granted a right, and a deny that cancels it is rare
// on the objects read here.
type ace struct {
	Type       byte
	Flags      byte
	Mask       uint32
	ObjectType string // GUID of the right or property; "" for a plain ACE
	SID        string
}

// allowedACEs decodes a self-relative security descriptor (MS-DTYP
// 2.4.6) and returns the access-allowed ACEs of its DACL that apply to the
// object itself (inherit-only ones are dropped). A descriptor without a
// DACL yields none.
func allowedACEs(sd []byte) ([]ace, error) {
	if len(sd) < 20 || sd[0] != 1 {
		return nil, fmt.Errorf("security descriptor: %w", errMalformed)
	}
	off := int(binary.LittleEndian.Uint32(sd[16:20]))
	if off == 0 {
		return nil, nil
	}
	if off+8 > len(sd) {
		return nil, fmt.Errorf("security descriptor: %w: DACL offset %d", errMalformed, off)
	}
	count := int(binary.LittleEndian.Uint16(sd[off+4:]))
	p := off + 8
	var out []ace
	for i := range count {
		if p+4 > len(sd) {
			return nil, fmt.Errorf("security descriptor: %w: ACE %d truncated", errMalformed, i)
		}
		typ, flags, size := sd[p], sd[p+1], int(binary.LittleEndian.Uint16(sd[p+2:]))
		if size < 8 || p+size > len(sd) {
			return nil, fmt.Errorf("security descriptor: %w: ACE %d size %d", errMalformed, i, size)
		}
		body := sd[p+4 : p+size]
		p += size
		if flags&aceInheritOnly != 0 || (typ != aceAccessAllowed && typ != aceAccessAllowedObject) {
			continue
		}
		a := ace{Type: typ, Flags: flags, Mask: binary.LittleEndian.Uint32(body)}
		rest := body[4:]
		if typ == aceAccessAllowedObject {
			if len(rest) < 4 {
				return nil, fmt.Errorf("security descriptor: %w: object ACE %d", errMalformed, i)
			}
			of := binary.LittleEndian.Uint32(rest)
			rest = rest[4:]
			if of&aceObjectTypePresent != 0 {
				if len(rest) < 16 {
					return nil, fmt.Errorf("security descriptor: %w: object ACE %d", errMalformed, i)
				}
				a.ObjectType = formatGUID(rest[:16])
				rest = rest[16:]
			}
			if of&aceInheritedObjPresent != 0 {
				if len(rest) < 16 {
					return nil, fmt.Errorf("security descriptor: %w: object ACE %d", errMalformed, i)
				}
				rest = rest[16:]
			}
		}
		sid, _, err := decodeSID(rest)
		if err != nil {
			return nil, fmt.Errorf("security descriptor: ACE %d: %w", i, err)
		}
		a.SID = sid
		out = append(out, a)
	}
	return out, nil
}

// Access mask bits and extended-right GUIDs for replication (MS-ADTS 5.1.3.2.1).
const (
	rightControlAccess = 0x00000100 // ADS_RIGHT_DS_CONTROL_ACCESS: extended rights
	rightGenericAll    = 0x10000000
	rightFullControl   = 0x000F01FF // all standard and DS-specific rights

	guidGetChanges    = "1131f6aa-9c07-11d1-f79f-00c04fc2dcd2" // DS-Replication-Get-Changes
	guidGetChangesAll = "1131f6ad-9c07-11d1-f79f-00c04fc2dcd2" // DS-Replication-Get-Changes-All
)

// replicationRights folds a DACL into per-principal replication rights.
// Only principals holding at least one of them are returned, in ACE order.
func replicationRights(aces []ace) []ADRight {
	var out []ADRight
	idx := map[string]int{}
	for _, a := range aces {
		full := a.Mask&rightGenericAll != 0 || a.Mask&rightFullControl == rightFullControl ||
			(a.ObjectType == "" && a.Mask&rightControlAccess != 0)
		gc := a.ObjectType == guidGetChanges && a.Mask&rightControlAccess != 0
		gca := a.ObjectType == guidGetChangesAll && a.Mask&rightControlAccess != 0
		if !full && !gc && !gca {
			continue
		}
		i, ok := idx[a.SID]
		if !ok {
			i = len(out)
			idx[a.SID] = i
			out = append(out, ADRight{SID: a.SID})
		}
		out[i].FullControl = out[i].FullControl || full
		out[i].GetChanges = out[i].GetChanges || gc || full
		out[i].GetChangesAll = out[i].GetChangesAll || gca || full
	}
	return out
}
