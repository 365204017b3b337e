/* A stand-in for Windows' bcryptprimitives.dll, for running the windows_amd64 release under wine
   8 (Debian 12), which lacks it. Windows 10 and later have ProcessPrng there, and Rust's standard
   library takes its random bytes from it; wine has RtlGenRandom (advapi32's SystemFunction036),
   which serves the same bytes. tests/foreign.rs builds this next to the executable it runs, so
   the release binary itself is unchanged. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    while (len > 0) {
        ULONG chunk = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!SystemFunction036(data, chunk)) return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
