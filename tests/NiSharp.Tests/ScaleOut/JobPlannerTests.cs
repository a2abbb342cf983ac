using CsCheck;
using NiSharp.Maskers;
using NiSharp.Pipeline;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.ScaleOut;

/// <summary><c>--jobs auto</c>: parallelism from the cores, the memory available and the per-subject estimate.</summary>
[Collection(ScaleOutCollection.Name)]
public class JobPlannerTests(LocalSlurm fixture)
{
    private static SubjectMemoryEstimate Estimate(long bytes) => new(bytes, 1000, 100, 10, "test");

    [Fact]
    public void Never_more_subjects_in_flight_than_fit_in_the_usable_memory_nor_more_than_asked() =>
        Gen.Select(Gen.Int[0, 64], Gen.Int[1, 128], Gen.Long[0, 1L << 40], Gen.Long[1L << 20, 8L << 30]).Sample((requested, cores, available, perSubject) =>
        {
            var plan = JobPlanner.Plan(requested, cores, available, "test", Estimate(perSubject));
            long wanted = requested == JobPlanner.Auto ? cores : requested;
            Assert.InRange(plan.Jobs, 1, Math.Max(1, wanted));
            if (available > 0 && plan.Jobs > 1)
                Assert.True(plan.Jobs * perSubject <= available * JobPlanner.UsableFraction - JobPlanner.ProcessBaselineBytes,
                    $"{plan.Jobs} × {perSubject} B do not fit in {available} B");
            // As many as allowed: one more would not fit or was not asked for.
            if (plan.Jobs < wanted && available > 0)
                Assert.True((plan.Jobs + 1) * perSubject > available * JobPlanner.UsableFraction - JobPlanner.ProcessBaselineBytes);
        });

    [Fact]
    public void Auto_takes_the_cores_when_memory_is_plentiful_and_fewer_when_it_is_short()
    {
        var big = JobPlanner.Plan(JobPlanner.Auto, 16, 64L << 30, "MemAvailable", Estimate(50L << 20));
        Assert.Equal(16, big.Jobs);
        // the line names the parameter; a front end spells it (the CLI: --jobs)
        Assert.Contains("jobs auto: 16 subject(s) at a time (bounded by cores; 16 cores, 65536 MB available (MemAvailable)", big.Describe().ToString());
        Assert.StartsWith("--jobs auto: 16", big.Describe().ToString(p => "--" + p));
        // 1 GiB available: 0.8 GiB − 160 MiB baseline = 659 MiB, room for 3 subjects of 200 MiB.
        var small = JobPlanner.Plan(JobPlanner.Auto, 16, 1L << 30, "cgroup memory limit", Estimate(200L << 20));
        Assert.Equal(3, small.Jobs);
        Assert.Contains("bounded by memory", small.Describe().ToString());
        // A subject too big for the memory still runs, alone.
        Assert.Equal(1, JobPlanner.Plan(8, 8, 100L << 20, "MemAvailable", Estimate(1L << 30)).Jobs);
        // Unknown memory: no memory bound.
        Assert.Equal(8, JobPlanner.Plan(8, 2, 0, "", Estimate(1L << 30)).Jobs);
    }

    [Fact]
    public void MemAvailable_is_read_from_proc_meminfo_text()
    {
        const string meminfo = "MemTotal:       24522316 kB\nMemFree:        16949376 kB\nMemAvailable:   23197716 kB\nBuffers:          341156 kB\n";
        Assert.Equal(23197716L * 1024, JobPlanner.ParseMemAvailable(meminfo));
        Assert.Null(JobPlanner.ParseMemAvailable("MemTotal: 1 kB\n"));
        var (bytes, source) = JobPlanner.AvailableMemory();
        Assert.True(bytes > 0, source);
    }

    [Fact]
    public void The_estimate_grows_with_the_volume_the_length_the_regions_and_the_reports() =>
        Gen.Select(Gen.Long[1000, 4_000_000], Gen.Int[20, 2000], Gen.Int[2, 1000], Gen.Int[1, 8]).Sample((voxels, volumes, regions, bytes) =>
        {
            long e = JobPlanner.EstimateBytes(voxels, volumes, regions, bytes, reports: false);
            Assert.True(JobPlanner.EstimateBytes(voxels * 2, volumes, regions, bytes, false) > e);
            Assert.True(JobPlanner.EstimateBytes(voxels, volumes + 10, regions, bytes, false) > e);
            Assert.True(JobPlanner.EstimateBytes(voxels, volumes, regions + 1, bytes, false) > e);
            Assert.True(JobPlanner.EstimateBytes(voxels, volumes, regions, bytes, true) > e);
            Assert.True(JobPlanner.EstimateBytes(voxels, volumes, regions, bytes, false, extraBytesPerVoxel: 32) > e);
            // Streaming: no voxels × volumes term — more volumes cost the same whatever the volume's size, but for the
            // volumes of a compressed file read ahead of the pass, which are bounded.
            long Plain(long v, int t) => JobPlanner.EstimateBytes(v, t, regions, bytes, false, compressed: false);
            long moreVolumes = Plain(voxels, volumes * 2) - Plain(voxels, volumes);
            long moreVolumesOfBigger = Plain(voxels * 8, volumes * 2) - Plain(voxels * 8, volumes);
            Assert.InRange(moreVolumesOfBigger - moreVolumes, -1, 1);
            long readAhead = e - Plain(voxels, volumes);
            long volumeBytes = voxels * bytes;
            long depth = Math.Clamp(VolumeSource.ReadAheadBytes / volumeBytes, 2, volumes); // and the one being decoded
            Assert.InRange(readAhead - (depth + 1) * volumeBytes * JobPlanner.GcHeadroom, -1, 1);
            Assert.True(readAhead <= (VolumeSource.ReadAheadBytes + 3 * volumeBytes) * JobPlanner.GcHeadroom + 1);
            Assert.True(e > voxels * 4L); // at least a volume as float
        });

    [Fact]
    public void The_estimate_reads_the_largest_bold_header_of_the_subjects()
    {
        var options = new RunOptions { InputDirectory = fixture.Cohort.DataDirectory, OutputDirectory = fixture.NewFolder("est") }.Validate();
        var runs = RunSelection.Select(options).Subjects.SelectMany(s => s.Runs).ToList();
        var estimate = JobPlanner.EstimateSubject(runs, regions: 49, reports: true);
        Assert.Equal(32 * 38 * 24, estimate.VoxelsPerVolume);
        Assert.Equal(152, estimate.Volumes);
        Assert.Equal("BOLD header 32×38×24×152, 49 regions, with reports", estimate.Basis);
        Assert.Equal(JobPlanner.EstimateBytes(32 * 38 * 24, 152, 49, 4, true), estimate.Bytes);
    }

    [Fact]
    public void Jobs_auto_on_the_command_line_prints_the_plan_and_bad_values_are_refused()
    {
        Assert.Contains("--jobs auto: ", fixture.LocalParticipantRun.Stdout);
        Assert.Contains("cores,", fixture.LocalParticipantRun.Stdout);
        var r = CliRunner.Run("run", fixture.Cohort.DataDirectory, fixture.NewFolder("j0"), "participant", "--jobs", "0");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--jobs must be a number of subjects (at least 1) or auto, got '0'", r.Stderr);
    }

    [Fact]
    public void High_variance_confounds_and_smoothing_count_in_the_memory_per_subject()
    {
        var plain = new RunOptions { InputDirectory = "/in", OutputDirectory = "/out" };
        Assert.Equal(0, JobPlanner.ExtraBytesPerVoxel(plain));
        Assert.True(JobPlanner.ExtraBytesPerVoxel(plain with { HighVarianceConfounds = true }) >= 32); // three running sums in double
        Assert.True(JobPlanner.ExtraBytesPerVoxel(plain with { SmoothingFwhm = NiSharp.Imaging.Fwhm.Of(6) }) >= 4); // a float copy
        Assert.Equal(0, JobPlanner.ExtraBytesPerVoxel(plain with { SmoothingFwhm = NiSharp.Imaging.Fwhm.Of(0) }));
    }
}
