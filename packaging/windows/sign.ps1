# Code signing for the Windows installers: tauri.conf.json's bundle.windows.signCommand runs
# this script once per file (the app .exe, the MSI, the NSIS setup and its uninstaller), with
# the file's path as the only argument. What signs is taken from the environment, so no
# secret or signing choice is committed:
#
#   ADO_CONNECT_SIGN_COMMAND     a whole command, {file} replaced by the file to sign; for a
#                                cloud signing service, for example
#                                  trusted-signing-cli -e https://weu.codesigning.azure.net -a ACCOUNT -c PROFILE -d "ADO Connect" {file}
#                                  AzureSignTool sign -kvu https://VAULT.vault.azure.net -kvc CERT -kvm -tr http://timestamp.digicert.com -td sha256 {file}
#   ADO_CONNECT_SIGN_THUMBPRINT  or: the SHA-1 thumbprint of a certificate in the machine's
#                                store (a hardware token), signed with signtool.exe
#   ADO_CONNECT_TIMESTAMP_URL    the RFC 3161 timestamp server (default: DigiCert's, as in
#                                tauri.conf.json's timestampUrl)
#   ADO_CONNECT_REQUIRE_SIGNING  1: fail when nothing above is set (release builds set it)
#
# Without any of them the file is left unsigned with a warning, so a developer's build works.
param([Parameter(Mandatory = $true)][string]$File)
$ErrorActionPreference = "Stop"

$timestamp = if ($env:ADO_CONNECT_TIMESTAMP_URL) { $env:ADO_CONNECT_TIMESTAMP_URL } else { "http://timestamp.digicert.com" }

if ($env:ADO_CONNECT_SIGN_COMMAND) {
    $command = $env:ADO_CONNECT_SIGN_COMMAND.Replace("{file}", "`"$File`"").Replace("{timestamp}", $timestamp)
    Write-Host "Signing $File with ADO_CONNECT_SIGN_COMMAND"
    & cmd.exe /d /c $command
    if ($LASTEXITCODE -ne 0) { throw "Signing $File failed (exit $LASTEXITCODE)" }
}
elseif ($env:ADO_CONNECT_SIGN_THUMBPRINT) {
    $signtool = if ($env:TAURI_WINDOWS_SIGNTOOL_PATH) { $env:TAURI_WINDOWS_SIGNTOOL_PATH } else { "signtool.exe" }
    Write-Host "Signing $File with certificate $env:ADO_CONNECT_SIGN_THUMBPRINT"
    & $signtool sign /fd sha256 /sha1 $env:ADO_CONNECT_SIGN_THUMBPRINT /d "ADO Connect" /tr $timestamp /td sha256 $File
    if ($LASTEXITCODE -ne 0) { throw "signtool failed on $File (exit $LASTEXITCODE)" }
}
elseif ($env:ADO_CONNECT_REQUIRE_SIGNING -eq "1") {
    throw "ADO_CONNECT_REQUIRE_SIGNING=1 but neither ADO_CONNECT_SIGN_COMMAND nor ADO_CONNECT_SIGN_THUMBPRINT is set"
}
else {
    Write-Warning "$File is NOT signed: set ADO_CONNECT_SIGN_COMMAND or ADO_CONNECT_SIGN_THUMBPRINT (see docs/it-desks.md)"
}
