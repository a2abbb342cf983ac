using System.Runtime.InteropServices;
using System.Text;

namespace NiSharp.IO;

/// <summary>What a path names, as <c>stat</c> tells it.</summary>
public enum FileKind
{
    /// <summary>Nothing (or a link to nothing, when links are followed).</summary>
    Missing,
    /// <summary>A regular file: the only kind NiSharp reads as data.</summary>
    Regular,
    /// <summary>A folder.</summary>
    Directory,
    /// <summary>A named pipe: opening it for reading blocks until a writer comes.</summary>
    Fifo,
    /// <summary>A character device such as <c>/dev/zero</c> or a terminal: it may never end.</summary>
    CharacterDevice,
    /// <summary>A block device (a whole disk).</summary>
    BlockDevice,
    /// <summary>A Unix socket.</summary>
    Socket,
    /// <summary>A symbolic link (only when links are not followed).</summary>
    SymbolicLink,
}

/// <summary>The identity of a file on this machine (device and inode): two paths with the same identity are one
/// file, whatever links or bind mounts lie between them.</summary>
/// <param name="Device">The file system's device number (or, where the system cannot say, 0).</param>
/// <param name="Inode">The inode number (or, where the system cannot say, a hash of the resolved path).</param>
public readonly record struct FileIdentity(ulong Device, ulong Inode);

/// <summary>The <c>stat</c> of a path: its kind, size and identity.</summary>
/// <param name="Kind">What the path names.</param>
/// <param name="Length">Size in bytes (regular files; 0 otherwise).</param>
/// <param name="Identity">Device and inode.</param>
public readonly record struct FileStatus(FileKind Kind, long Length, FileIdentity Identity)
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxBasicStats = 0x7ff;
    private const int ENOENT = 2, ENOTDIR = 20, ELOOP = 40, ENAMETOOLONG = 36, EACCES = 13;

    // statx(2) has one layout on every Linux architecture (unlike struct stat): mode at 28, inode at 32, size at 40,
    // device at 136/140, 256 bytes in all.
    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern unsafe int StatX(int dirfd, byte* path, int flags, uint mask, byte* buffer);

    private static bool _statxMissing = !OperatingSystem.IsLinux();

    /// <summary>
    /// The status of <paramref name="path"/>, following symbolic links unless <paramref name="followLinks"/> is false.
    /// Never opens the file (a FIFO cannot block here). A path that does not exist (or a link to nothing) is
    /// <see cref="FileKind.Missing"/>; a path that cannot be examined at all (permission denied on a folder above it)
    /// throws <see cref="UnauthorizedAccessException"/>.
    /// </summary>
    public static FileStatus Of(string path, bool followLinks = true)
    {
        if (!_statxMissing)
        {
            try
            {
                if (TryStatx(path, followLinks, out var status)) return status;
            }
            catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
            {
                _statxMissing = true; // an old C library: fall back to what .NET can tell
            }
        }
        return Portable(path, followLinks);
    }

    private static unsafe bool TryStatx(string path, bool followLinks, out FileStatus status)
    {
        status = default;
        int n = Encoding.UTF8.GetByteCount(path);
        Span<byte> name = n < 1024 ? stackalloc byte[n + 1] : new byte[n + 1];
        Encoding.UTF8.GetBytes(path, name);
        name[n] = 0;
        Span<byte> buffer = stackalloc byte[256];
        int rc;
        fixed (byte* p = name)
        fixed (byte* b = buffer)
            rc = StatX(AtFdCwd, p, followLinks ? 0 : AtSymlinkNoFollow, StatxBasicStats, b);
        if (rc != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno is ENOENT or ENOTDIR or ELOOP or ENAMETOOLONG)
            {
                status = new FileStatus(FileKind.Missing, 0, default);
                return true;
            }
            if (errno == EACCES) throw new UnauthorizedAccessException($"permission denied: {path}");
            return false; // ENOSYS (an old kernel), a seccomp filter: fall back
        }
        // The fields are in the machine's byte order.
        int mode = MemoryMarshal.Read<ushort>(buffer[28..]);
        var kind = (mode & 0xF000) switch
        {
            0x8000 => FileKind.Regular,
            0x4000 => FileKind.Directory,
            0x1000 => FileKind.Fifo,
            0x2000 => FileKind.CharacterDevice,
            0x6000 => FileKind.BlockDevice,
            0xC000 => FileKind.Socket,
            0xA000 => FileKind.SymbolicLink,
            _ => FileKind.CharacterDevice, // unknown: treat as not a file
        };
        ulong inode = MemoryMarshal.Read<ulong>(buffer[32..]);
        long size = MemoryMarshal.Read<long>(buffer[40..]);
        ulong device = ((ulong)MemoryMarshal.Read<uint>(buffer[136..]) << 32) | MemoryMarshal.Read<uint>(buffer[140..]);
        status = new FileStatus(kind, kind == FileKind.Regular ? size : 0, new FileIdentity(device, inode));
        return true;
    }

    /// <summary>What .NET alone can say (other systems): folders, files and links, identity from the resolved path.</summary>
    private static FileStatus Portable(string path, bool followLinks)
    {
        var info = new FileInfo(path);
        if (!followLinks && info.LinkTarget is not null) return new FileStatus(FileKind.SymbolicLink, 0, Identify(path));
        FileSystemInfo target = info;
        if (info.LinkTarget is not null)
        {
            try { target = info.ResolveLinkTarget(returnFinalTarget: true) ?? info; }
            catch (IOException) { return new FileStatus(FileKind.Missing, 0, default); }
        }
        if (System.IO.Directory.Exists(target.FullName)) return new FileStatus(FileKind.Directory, 0, Identify(target.FullName));
        if (target is FileInfo { Exists: true } file) return new FileStatus(FileKind.Regular, file.Length, Identify(file.FullName));
        return new FileStatus(FileKind.Missing, 0, default);
    }

    private static FileIdentity Identify(string fullPath) =>
        new(0, (uint)StringComparer.Ordinal.GetHashCode(Path.GetFullPath(fullPath)) | ((ulong)(uint)fullPath.Length << 32));

    /// <summary>What the kind is called in a message: "a named pipe (FIFO)", "a device", …</summary>
    public static string Describe(FileKind kind) => kind switch
    {
        FileKind.Regular => "a file",
        FileKind.Directory => "a folder",
        FileKind.Fifo => "a named pipe (FIFO)",
        FileKind.CharacterDevice => "a device",
        FileKind.BlockDevice => "a block device",
        FileKind.Socket => "a socket",
        FileKind.SymbolicLink => "a symbolic link",
        _ => "missing",
    };
}
