using System.Diagnostics;
using System.Runtime.InteropServices;
using NiSharp.IO;

namespace NiSharp.Tests.Support;

/// <summary>Files that are not regular files, and the system commands that make odd folders (read-only or full mounts),
/// for the tests of what NiSharp refuses.</summary>
public static class SpecialFiles
{
    // Plain DllImport (a string is passed as UTF-8 on Unix): LibraryImport would need unsafe code in the test project.
    [DllImport("libc", EntryPoint = "mkfifo", SetLastError = true)]
    private static extern int MkFifo(string path, uint mode);

    /// <summary>Creates a named pipe at <paramref name="path"/> (Linux and macOS).</summary>
    public static void MakeFifo(string path)
    {
        if (MkFifo(path, Convert.ToUInt32("644", 8)) != 0)
            throw new IOException($"mkfifo {path} failed: errno {Marshal.GetLastPInvokeError()}");
        if (FileStatus.Of(path).Kind != FileKind.Fifo) throw new IOException($"{path} is not a FIFO after mkfifo");
    }

    /// <summary>Runs a system command (<c>mount</c>, <c>umount</c>) and returns its exit code; -1 when it cannot be
    /// started.</summary>
    public static int Exec(string file, params string[] args)
    {
        try
        {
            var psi = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var a in args) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            p.WaitForExit();
            return p.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1;
        }
    }
}
