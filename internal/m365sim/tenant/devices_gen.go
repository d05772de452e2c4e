package tenant

import (
	"fmt"
	"strings"
	"time"
)

// deviceSpec describes one generated Intune managed device.
type deviceSpec struct {
	user                     *User
	name, os, version, model string
	manufacturer             string
	jailbroken, noPassword   bool
	rtpOff                   bool
}

// devices adds Intune managed devices: a Windows laptop per member, an
// iPhone for every other member, the planted jailbroken iPhone and the
// planted noncompliant reception desktop.
// https://learn.microsoft.com/en-us/graph/api/resources/intune-devices-manageddevice
func (s *secGen) devices() {
	if len(s.members) == 0 {
		return
	}
	var specs []deviceSpec
	for i, u := range s.members {
		specs = append(specs, deviceSpec{user: u, name: fmt.Sprintf("LT-%s-%02d", shortName(u), i+1), os: "Windows",
			version: "10.0.22631.4460", model: "Latitude 7440", manufacturer: "Dell Inc.", rtpOff: i == 0})
		if i%2 == 0 {
			specs = append(specs, deviceSpec{user: u, name: shortName(u) + "'s iPhone", os: "iOS",
				version: "18.1.1", model: "iPhone 15", manufacturer: "Apple"})
		}
	}
	jb := s.member(1)
	specs = append(specs, deviceSpec{user: jb, name: shortName(jb) + "'s iPhone 12", os: "iOS", version: "17.0",
		model: "iPhone 12", manufacturer: "Apple", jailbroken: true})
	recep := s.member(len(s.members) - 1)
	specs = append(specs, deviceSpec{user: recep, name: "DT-RECEPTION-01", os: "Windows", version: "10.0.22631.4460",
		model: "OptiPlex 7010", manufacturer: "Dell Inc.", noPassword: true})

	winPolicy, iosPolicy := s.compliancePolicies()
	for i, d := range specs {
		id, aad := s.guid(), s.guid()
		noncompliant := d.jailbroken || d.noPassword
		state := "compliant"
		if noncompliant {
			state = "noncompliant"
		}
		enrolled := s.ago(days(float64(300 - 7*i)))
		p := Props{
			"id": id, "userId": d.user.ID, "deviceName": d.name, "managedDeviceName": d.user.UPN + "_" + d.os + "_" + enrolled[:10],
			"managedDeviceOwnerType": "company", "enrolledDateTime": enrolled, "lastSyncDateTime": s.ago(time.Duration(2+i) * time.Hour),
			"operatingSystem": d.os, "osVersion": d.version, "complianceState": state,
			"complianceGracePeriodExpirationDateTime": "9999-12-31T23:59:59Z",
			"jailBroken":      map[bool]string{true: "True", false: "False"}[d.jailbroken],
			"managementAgent": "mdm", "deviceEnrollmentType": map[string]string{"Windows": "windowsAzureADJoin", "iOS": "appleBulkWithUser"}[d.os],
			"deviceRegistrationState": "registered", "azureADRegistered": true, "azureADDeviceId": aad,
			"easActivated": d.os == "iOS", "easDeviceId": "", "easActivationDateTime": "0001-01-01T00:00:00Z",
			"exchangeAccessState": "none", "exchangeAccessStateReason": "none", "exchangeLastSuccessfulSyncDateTime": "0001-01-01T00:00:00Z",
			"isSupervised": d.os == "iOS", "isEncrypted": true, "userPrincipalName": d.user.UPN,
			"userDisplayName": str(d.user.Props, "displayName"), "emailAddress": d.user.UPN,
			"model": d.model, "manufacturer": d.manufacturer, "serialNumber": fmt.Sprintf("SN%08X", uint32(SeedOf(s.seed, "serial", i))),
			"imei": "", "meid": "", "phoneNumber": "", "subscriberCarrier": "", "wiFiMacAddress": "", "ethernetMacAddress": nil,
			"androidSecurityPatchLevel": "", "activationLockBypassCode": nil, "remoteAssistanceSessionUrl": "",
			"remoteAssistanceSessionErrorDetails": "", "deviceCategoryDisplayName": "Unknown",
			"configurationManagerClientEnabledFeatures": nil, "partnerReportedThreatState": "unknown",
			"requireUserEnrollmentApproval": nil, "managementCertificateExpirationDate": Timestamp(s.now.AddDate(1, 0, 0)),
			"iccid": nil, "udid": nil, "notes": nil,
			"totalStorageSpaceInBytes": int64(255) << 30, "freeStorageSpaceInBytes": int64(90+i) << 30,
			"physicalMemoryInBytes": 0, "deviceActionResults": []any{},
			"deviceHealthAttestationState": healthAttestation(d.os, s.ago(days(1))),
		}
		if d.os == "Windows" {
			p["windowsProtectionState"] = s.protection(id, d.rtpOff)
			p["detectedApps"] = []any{
				s.app("Microsoft 365 Apps for enterprise - en-us", "16.0.18129.20158", "Microsoft Corporation", "windows"),
				s.app("Microsoft Edge", "131.0.2903.70", "Microsoft Corporation", "windows"),
				s.app("7-Zip 24.08 (x64)", "24.08", "Igor Pavlov", "windows"),
			}
			p["deviceCompliancePolicyStates"] = []any{policyState(winPolicy, "windows10AndLater", d.user, d.noPassword, "PasswordRequired",
				"Windows10CompliancePolicy.PasswordRequired", 11)}
		} else {
			p["detectedApps"] = []any{
				s.app("Microsoft Outlook", "4.2446.0", "Microsoft Corporation", "ios"),
				s.app("Microsoft Authenticator", "6.8.17", "Microsoft Corporation", "ios"),
			}
			p["deviceCompliancePolicyStates"] = []any{policyState(iosPolicy, "iOS", d.user, d.jailbroken, "SecurityBlockJailbrokenDevices",
				"IosCompliancePolicy.SecurityBlockJailbrokenDevices", 8)}
		}
		if d.rtpOff {
			s.rtpLaptop = p
		}
		s.sec.Add(SetManagedDevices, p)
	}
}

// compliancePolicies returns the ids and names of the generated Windows
// and iOS compliance policies (config_gen.go), in that order.
func (s *secGen) compliancePolicies() (win, ios Props) {
	win, ios = Props{"id": s.guid(), "displayName": "Windows 10/11 baseline compliance", "version": 3},
		Props{"id": s.guid(), "displayName": "iOS compliance", "version": 1}
	for _, p := range s.t.Config.List(SetCompliancePolicies) {
		switch t, _ := p["@odata.type"].(string); {
		case strings.HasSuffix(t, "windows10CompliancePolicy"):
			win = Props{"id": p["id"], "displayName": p["displayName"], "version": p["version"]}
		case strings.HasSuffix(t, "iosCompliancePolicy"):
			ios = Props{"id": p["id"], "displayName": p["displayName"], "version": p["version"]}
		}
	}
	return win, ios
}

// policyState is one deviceCompliancePolicyState with the setting that
// decides it; failing marks that setting (and the policy) nonCompliant.
// https://learn.microsoft.com/en-us/graph/api/resources/intune-devices-devicecompliancepolicystate
func policyState(pol Props, platform string, u *User, failing bool, settingName, setting string, count int) Props {
	state := "compliant"
	if failing {
		state = "nonCompliant"
	}
	return Props{
		"id": pol["id"], "displayName": pol["displayName"], "version": pol["version"], "platformType": platform,
		"state": state, "settingCount": count,
		"settingStates": []any{Props{
			"setting": setting, "settingName": settingName, "instanceDisplayName": nil, "state": state,
			"errorCode": 0, "errorDescription": nil, "userId": u.ID, "userName": str(u.Props, "displayName"),
			"userEmail": u.UPN, "userPrincipalName": u.UPN, "sources": []any{Props{"id": pol["id"], "displayName": pol["displayName"], "sourceType": "deviceConfiguration"}},
			"currentValue": map[bool]any{true: "False", false: "True"}[failing],
		}},
	}
}

func healthAttestation(os, at string) any {
	if os != "Windows" {
		return nil
	}
	return Props{
		"lastUpdateDateTime": at, "contentNamespaceUrl": "https://has.spserv.microsoft.com/DeviceHealthAttestation/",
		"deviceHealthAttestationStatus": "Succeeded", "contentVersion": "6", "issuedDateTime": at,
		"attestationIdentityKey": "", "resetCount": 0, "restartCount": 12, "dataExcutionPolicy": "Enabled",
		"bitLockerStatus": "Enabled", "bootManagerVersion": "10.0.22621.4391", "codeIntegrityCheckVersion": "10.0.22621.4391",
		"secureBoot": "Enabled", "bootDebugging": "Disabled", "operatingSystemKernelDebugging": "Disabled",
		"codeIntegrity": "Enabled", "testSigning": "Disabled", "safeMode": "Disabled", "windowsPE": "Disabled",
		"earlyLaunchAntiMalwareDriverProtection": "Enabled", "virtualSecureMode": "Enabled", "pcrHashAlgorithm": "SHA256",
		"bootAppSecurityVersion": "1", "bootManagerSecurityVersion": "1", "tpmVersion": "2.0", "pcr0": "",
		"secureBootConfigurationPolicyFingerPrint": "", "codeIntegrityPolicy": "", "bootRevisionListInfo": "",
		"operatingSystemRevListInfo": "", "healthStatusMismatchInfo": "", "healthAttestationSupportedStatus": "Supported",
	}
}

// protection is a Windows device's windowsProtectionState. With rtpOff,
// real-time protection is off and the signatures are eight days old.
// https://learn.microsoft.com/en-us/graph/api/resources/intune-devices-windowsprotectionstate
func (s *secGen) protection(deviceID string, rtpOff bool) Props {
	sig, overdue, status, scan := "1.421.1530.0", false, "noStatus", s.ago(days(1))
	if rtpOff {
		sig, overdue, status, scan = "1.419.208.0", true, "avSignaturesOutOfDate, realTimeProtectionDisabled", s.ago(days(8))
	}
	return Props{
		"id": deviceID, "malwareProtectionEnabled": true, "deviceState": "clean", "realTimeProtectionEnabled": !rtpOff,
		"networkInspectionSystemEnabled": true, "quickScanOverdue": false, "fullScanOverdue": false,
		"signatureUpdateOverdue": overdue, "rebootRequired": false, "fullScanRequired": false,
		"engineVersion": "1.1.24090.11", "signatureVersion": sig, "antiMalwareVersion": "4.18.24090.11",
		"lastQuickScanDateTime": scan, "lastFullScanDateTime": s.ago(days(20)),
		"lastQuickScanSignatureVersion": sig, "lastFullScanSignatureVersion": sig,
		"lastReportedDateTime": s.ago(3 * time.Hour), "productStatus": status, "isVirtualMachine": false,
		"tamperProtectionEnabled": true, "detectedMalwareState": []any{},
	}
}

// app is one detectedApp (beta: managedDevices/{id}/detectedApps).
func (s *secGen) app(name, version, publisher, platform string) Props {
	return Props{"id": s.guid(), "displayName": name, "version": version, "sizeInByte": 0, "deviceCount": 1,
		"publisher": publisher, "platform": platform}
}
