using System.Globalization;
using NiSharp.Bids;
using NiSharp.Nifti;

namespace NiSharp.Pipeline;

/// <summary>
/// What one subject in flight costs in memory, estimated from the header of its largest BOLD run: the participant
/// level streams a run volume by volume, so a subject holds a few volumes (the double-buffered reader, the raw read
/// scratch, and for a compressed run the stored volumes read ahead while the maskers fit), the masker's per-voxel index (resampled labels, brain mask, voxel→label map), the report's pictures
/// (mean EPI, atlas on the grid) when reports are written, and its T×R region signals in a few copies (raw, cleaned,
/// connectivity input) beside the T×C confounds — never the whole 4D series.
/// </summary>
/// <param name="Bytes">The estimate, GC headroom included.</param>
/// <param name="VoxelsPerVolume">Voxels of one volume of the largest run.</param>
/// <param name="Volumes">Volumes of the longest run.</param>
/// <param name="Regions">Regions of the atlas.</param>
/// <param name="Basis">How it was obtained, for the messages (<c>"BOLD header 65×77×49×152, 49 regions"</c>).</param>
public sealed record SubjectMemoryEstimate(long Bytes, long VoxelsPerVolume, int Volumes, int Regions, string Basis);

/// <summary>How many subjects a local participant level runs at once, and why.</summary>
/// <param name="Jobs">Subjects at once (at least 1).</param>
/// <param name="Requested">What was asked (<see cref="JobPlanner.Auto"/> for <c>--jobs auto</c>).</param>
/// <param name="Cores">Processors this process may use.</param>
/// <param name="AvailableBytes">Memory available to this process (0 when unknown).</param>
/// <param name="AvailableSource">Where <paramref name="AvailableBytes"/> came from.</param>
/// <param name="PerSubject">The per-subject estimate.</param>
/// <param name="FitInMemory">Subjects that fit in the usable memory.</param>
public sealed record JobPlan(int Jobs, int Requested, int Cores, long AvailableBytes, string AvailableSource, SubjectMemoryEstimate PerSubject, long FitInMemory)
{
    /// <summary>One line for the log: the choice and what bounded it.</summary>
    public ParameterText Describe()
    {
        string mem = AvailableBytes > 0
            ? $"{Mb(AvailableBytes)} available ({AvailableSource}), about {Mb(PerSubject.Bytes)} per subject ({PerSubject.Basis}) → {FitInMemory} fit"
            : "available memory unknown";
        string asked = Requested == JobPlanner.Auto ? "auto" : Requested.ToString(CultureInfo.InvariantCulture);
        string bound = Jobs == Requested ? "as asked" : Jobs == Cores && Requested == JobPlanner.Auto ? "bounded by cores" : "bounded by memory";
        return $"{new ParameterName("jobs")} {asked}: {Jobs} subject(s) at a time ({bound}; {Cores} cores, {mem})";
    }

    private static string Mb(long bytes) => (bytes / 1048576.0).ToString("0", CultureInfo.InvariantCulture) + " MB";
}

/// <summary>
/// Chooses the local participant level's parallelism (<c>--jobs auto</c>, and the memory bound of an explicit
/// <c>--jobs N</c>): as many subjects as there are cores, but never more in flight than fit in the memory available
/// now — <c>MemAvailable</c> of <c>/proc/meminfo</c>, lowered to the room left under the cgroup's memory limit in a
/// container or batch job — minus the process's own footprint, with a margin.
/// </summary>
public static class JobPlanner
{
    /// <summary>The value of <see cref="RunOptions.Jobs"/> meaning <c>--jobs auto</c>.</summary>
    public const int Auto = 0;

    /// <summary>Share of the available memory the subjects may use; the rest is left to the page cache (which keeps the
    /// gzip reads fast) and to the rest of the machine.</summary>
    public const double UsableFraction = 0.8;

    /// <summary>The process itself before any subject: the .NET runtime, the loaded atlas, the BIDS index (measured:
    /// about 145 MB peak RSS for a one-subject lesson run without reports, of which 30 MB is the bare runtime).</summary>
    public const long ProcessBaselineBytes = 160L << 20;

    /// <summary>Fixed cost of a subject whatever its size: gzip window and stream buffers, the 16 MB raw read chunk of
    /// <see cref="NiftiFile.ReadVolumes{T}"/>, small objects.</summary>
    public const long SubjectFixedBytes = 24L << 20;

    /// <summary>Managed memory is collected lazily: the heap of a subject peaks above its live data by this factor.</summary>
    public const double GcHeadroom = 1.5;

    /// <summary>
    /// The estimate for a run of <paramref name="voxelsPerVolume"/> × <paramref name="volumes"/> stored with
    /// <paramref name="bytesPerVoxel"/> bytes per voxel, an atlas of <paramref name="regions"/> regions, with or without
    /// the report pictures, <paramref name="extraBytesPerVoxel"/> for options that keep more per voxel
    /// (<see cref="ExtraBytesPerVoxel"/>), and for a <paramref name="compressed"/> file the volumes read ahead of the pass
    /// (<see cref="Maskers.VolumeSource.ReadingAhead"/>).
    /// </summary>
    public static long EstimateBytes(long voxelsPerVolume, int volumes, int regions, int bytesPerVoxel, bool reports, int extraBytesPerVoxel = 0, bool compressed = true)
    {
        // Per voxel: two float32 volumes (the reader's double buffer) + one raw volume (conversion scratch)
        // + resampled labels (int) + brain mask (bool) + voxel→label map (int)
        // + with reports: mean EPI (double) and the atlas on the grid (float).
        double perVoxel = 2 * 4 + bytesPerVoxel + 4 + 1 + 4 + (reports ? 8 + 4 : 0) + extraBytesPerVoxel;
        // Per time point: region signals in four double copies, confounds (up to ~64 columns) in two.
        double perTimepoint = 8.0 * (4 * regions + 2 * 64);
        // A compressed run is gunzipped ahead of the pass: its stored volumes, up to VolumeSource.ReadAheadBytes.
        double readAhead = compressed ? Maskers.VolumeSource.ReadAheadHeldBytes(voxelsPerVolume * bytesPerVoxel, volumes) : 0;
        double live = voxelsPerVolume * perVoxel + readAhead + volumes * perTimepoint + 8.0 * regions * regions * 4 + SubjectFixedBytes;
        return (long)Math.Ceiling(live * GcHeadroom);
    }

    /// <summary>The estimate for the largest of <paramref name="runs"/> (headers only are read; at most 64 runs spread
    /// over the list are looked at, so that planning 40 000 subjects stays quick).</summary>
    public static SubjectMemoryEstimate EstimateSubject(IReadOnlyList<BoldRun> runs, int regions, bool reports, int extraBytesPerVoxel = 0)
    {
        long voxels = 0;
        int volumes = 0, bytes = 4;
        bool compressed = true;
        string shape = "";
        int step = Math.Max(1, runs.Count / 64);
        for (int i = 0; i < runs.Count; i += step)
        {
            try
            {
                using var f = NiftiFile.Open(runs[i].Bold.Path);
                if ((long)f.VoxelsPerVolume * f.VolumeCount > voxels * volumes)
                {
                    voxels = f.VoxelsPerVolume;
                    volumes = f.VolumeCount;
                    bytes = Math.Max(1, f.DataType.ByteSize());
                    compressed = f.IsCompressed;
                    shape = string.Join("×", f.Shape);
                }
            }
            catch (NiSharpException) { } // an unreadable run fails its own subject later, with the reason
        }
        if (voxels == 0)
        {
            // No header readable: assume a lesson-sized run (65×77×49×152 float32).
            voxels = 65 * 77 * 49;
            volumes = 152;
            shape = "assumed 65×77×49×152";
        }
        return new SubjectMemoryEstimate(EstimateBytes(voxels, volumes, regions, bytes, reports, extraBytesPerVoxel, compressed), voxels, volumes, regions,
            $"BOLD header {shape}, {regions} regions{(reports ? ", with reports" : "")}{(extraBytesPerVoxel > 0 ? $", +{extraBytesPerVoxel} B/voxel for the masker's options" : "")}");
    }

    /// <summary>What the masker options of <paramref name="options"/> keep per voxel beyond the default pass: the
    /// high-variance confounds' running sums (three doubles and the first value), smoothing's float copy of the
    /// volume with its line buffers, and each atlas after the first its own index (resampled labels and voxel→label
    /// map, ints) and, with reports, its picture on the grid (float).</summary>
    public static int ExtraBytesPerVoxel(RunOptions options) =>
        (options.HighVarianceConfounds ? 3 * 8 + 8 : 0) + (options.SmoothingFwhm is { IsNone: false } ? 4 + 4 : 0) +
        Math.Max(0, options.Atlases.Count - 1) * (4 + 4 + (options.Reports ? 4 : 0));

    /// <summary>
    /// Memory this process may still use, in bytes, and where the figure came from: <c>MemAvailable</c> of
    /// <c>/proc/meminfo</c>, lowered to <c>memory.max − memory.current</c> of the process's cgroup (v2; v1's
    /// <c>memory.limit_in_bytes − memory.usage_in_bytes</c>) when that is smaller; else the runtime's view of the
    /// total memory. Returns 0 when nothing is known.
    /// </summary>
    public static (long Bytes, string Source) AvailableMemory()
    {
        long bytes = 0;
        string source = "";
        try
        {
            if (File.Exists("/proc/meminfo") && ParseMemAvailable(File.ReadAllText("/proc/meminfo")) is long m)
            {
                bytes = m;
                source = "MemAvailable";
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        if (CgroupRoom() is long room && (bytes == 0 || room < bytes))
        {
            bytes = room;
            source = "cgroup memory limit";
        }
        if (bytes == 0)
        {
            bytes = Math.Max(0, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes);
            source = "total memory";
        }
        return (bytes, source);
    }

    /// <summary>The <c>MemAvailable</c> line of a <c>/proc/meminfo</c> text, in bytes (null when absent).</summary>
    public static long? ParseMemAvailable(string meminfo)
    {
        foreach (var line in meminfo.Split('\n'))
        {
            if (!line.StartsWith("MemAvailable:", StringComparison.Ordinal)) continue;
            var parts = line["MemAvailable:".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length >= 1 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var kb))
                return kb * (parts.Length >= 2 && parts[1] == "kB" ? 1024 : 1);
        }
        return null;
    }

    /// <summary>Room left under the cgroup memory limit of this process, or null when unlimited or unknown.</summary>
    private static long? CgroupRoom()
    {
        try
        {
            if (!File.Exists("/proc/self/cgroup")) return null;
            foreach (var line in File.ReadAllLines("/proc/self/cgroup"))
            {
                // v2: "0::/path"; v1: "N:memory:/path"
                var parts = line.Split(':', 3);
                if (parts.Length != 3) continue;
                string? max = null, current = null;
                if (parts[0] == "0" && parts[1] == "")
                {
                    var dir = "/sys/fs/cgroup" + parts[2];
                    if (!Directory.Exists(dir)) dir = "/sys/fs/cgroup";
                    max = Path.Combine(dir, "memory.max");
                    current = Path.Combine(dir, "memory.current");
                }
                else if (parts[1].Split(',').Contains("memory"))
                {
                    var dir = "/sys/fs/cgroup/memory" + parts[2];
                    if (!Directory.Exists(dir)) dir = "/sys/fs/cgroup/memory";
                    max = Path.Combine(dir, "memory.limit_in_bytes");
                    current = Path.Combine(dir, "memory.usage_in_bytes");
                }
                if (max is null || !File.Exists(max) || !File.Exists(current)) continue;
                var maxText = File.ReadAllText(max).Trim();
                if (maxText == "max" || !long.TryParse(maxText, CultureInfo.InvariantCulture, out var limit)) return null;
                if (limit >= long.MaxValue / 2) return null; // v1 writes a huge number for "no limit"
                if (!long.TryParse(File.ReadAllText(current).Trim(), CultureInfo.InvariantCulture, out var used)) return null;
                return Math.Max(0, limit - used);
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return null;
    }

    /// <summary>
    /// The plan for <paramref name="requested"/> subjects at a time (<see cref="Auto"/>: one per core) given the
    /// cores, the available memory (0: unknown, no memory bound) and the per-subject estimate: never more subjects than
    /// fit in <see cref="UsableFraction"/> of the available memory after <see cref="ProcessBaselineBytes"/>, and at
    /// least one (a subject that does not fit still runs, alone).
    /// </summary>
    public static JobPlan Plan(int requested, int cores, long availableBytes, string availableSource, SubjectMemoryEstimate perSubject)
    {
        if (requested < 0) throw new ArgumentOutOfRangeException(nameof(requested));
        cores = Math.Max(1, cores);
        long fit = long.MaxValue;
        if (availableBytes > 0)
        {
            long usable = (long)(availableBytes * UsableFraction) - ProcessBaselineBytes;
            fit = Math.Max(1, usable / Math.Max(1, perSubject.Bytes));
        }
        long wanted = requested == Auto ? cores : requested;
        int jobs = (int)Math.Max(1, Math.Min(wanted, fit));
        return new JobPlan(jobs, requested, cores, availableBytes, availableSource, perSubject, fit == long.MaxValue ? wanted : fit);
    }

    /// <summary>The plan for <paramref name="requested"/> on this machine now, for the subjects' runs.</summary>
    public static JobPlan Plan(int requested, IReadOnlyList<BoldRun> runs, int regions, bool reports, int extraBytesPerVoxel = 0)
    {
        var estimate = EstimateSubject(runs, regions, reports, extraBytesPerVoxel);
        var (available, source) = AvailableMemory();
        return Plan(requested, Environment.ProcessorCount, available, source, estimate);
    }
}
