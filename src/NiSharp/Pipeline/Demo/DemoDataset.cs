using System.Globalization;
using System.Runtime.ExceptionServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MathNet.Numerics.LinearAlgebra;
using NiSharp.Connectome;
using NiSharp.Bids;
using NiSharp.Imaging;
using NiSharp.IO;

namespace NiSharp.Pipeline;

/// <summary>
/// The bundled demo: a synthetic fMRIPrep derivatives folder in the image of ds000030 — controls (1xxxx) and
/// schizophrenia patients (5xxxx) with <c>participants.tsv</c> (diagnosis, age, sex), one resting-state run each
/// in MNI152NLin2009cAsym, brain masks, BOLD references, sidecars, fMRIPrep ≥ 21 confounds — built from the
/// bundled MNI template and relabelled Yeo atlas, with a planted connectome (<see cref="DemoConnectome"/>) so that
/// the analysis has a known answer. Deterministic for a seed; subjects are generated in parallel.
/// </summary>
public sealed class DemoDataset
{
    /// <summary>The <c>diagnosis</c> of controls in ds000030.</summary>
    public const string ControlDiagnosis = "CONTROL";

    /// <summary>The <c>diagnosis</c> of schizophrenia patients in ds000030.</summary>
    public const string PatientDiagnosis = "SCHZ";

    /// <summary>The template space of the runs.</summary>
    public const string Space = "MNI152NLin2009cAsym";

    /// <summary>The key of <c>dataset_description.json</c> that records the generator's parameters.</summary>
    public const string DescriptionKey = "NiSharpDemo";

    /// <summary>The dataset folder (an fMRIPrep derivatives root).</summary>
    public string DataDirectory { get; }

    /// <summary>The options it was generated with.</summary>
    public DemoOptions Options { get; }

    /// <summary>The participants, in id order.</summary>
    public IReadOnlyList<DemoParticipant> Participants { get; }

    /// <summary>The planted connectome.</summary>
    public DemoConnectome Planted { get; }

    /// <summary>The data grid.</summary>
    public Grid Grid { get; }

    private DemoDataset(string dir, DemoOptions options, IReadOnlyList<DemoParticipant> participants, DemoConnectome planted, Grid grid)
    {
        DataDirectory = dir;
        Options = options;
        Participants = participants;
        Planted = planted;
        Grid = grid;
    }

    /// <summary>
    /// Writes the dataset into <paramref name="dataDir"/> (created if needed; existing demo files are replaced).
    /// <paramref name="progress"/> hears of each participant when its files are complete.
    /// </summary>
    public static DemoDataset Generate(string dataDir, DemoOptions options, IProgress<DemoParticipant>? progress = null)
    {
        options.Validate();
        var full = Path.GetFullPath(dataDir);
        Directory.CreateDirectory(full);
        // The description first (it marks the folder as the demo's, so that an interrupted generation is redone, not
        // refused), participants.tsv last (with every subject's files it marks the dataset complete).
        WriteDescription(full, options);
        var anatomy = DemoAnatomy.Create(options);
        var planted = DemoConnectome.Create(anatomy.Atlas, anatomy.RegionLabels, options);
        var people = Cohort(options);

        var result = new DemoParticipant[people.Count];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Jobs ?? Environment.ProcessorCount };
        try
        {
            Parallel.For(0, people.Count, parallel, i =>
            {
                var (id, patient, age, sex, severity) = people[i];
                // Drawn ids: the subject's stream is its place in the cohort; explicit ids: the id itself, so that a subject
                // has the same data in every cohort that names it (sub-10788 of the notebooks' 4 is sub-10788 of the lesson's 20).
                int stream = options.SubjectIds is null ? i : ExplicitStream(id);
                result[i] = DemoSubject.Write(full, anatomy, planted, stream, id, patient, age, sex, severity, options);
                progress?.Report(result[i]);
            });
        }
        catch (AggregateException e) when (e.Flatten().InnerExceptions.OfType<NiSharpException>().FirstOrDefault() is { } ours)
        {
            // A write refused (a full disk): one line naming the file, as from a single thread.
            ExceptionDispatchInfo.Throw(ours);
        }

        if (options.Anatomical) DemoAnat.Write(full, result.Select(p => p.Id).ToArray(), options);
        WriteParticipants(full, result);
        return new DemoDataset(full, options, result, planted, anatomy.Grid);
    }

    /// <summary>
    /// The demo folder <paramref name="dataDir"/>, generated with <paramref name="options"/> unless it already holds a
    /// complete demo made with them (<see cref="IsComplete"/>): what the runnable examples call on first use. A folder
    /// holding anything but a NiSharp demo is refused, never replaced. Concurrent callers wait for each other.
    /// </summary>
    /// <returns>The dataset folder (full path).</returns>
    public static string Ensure(string dataDir, DemoOptions options, TextWriter? log = null)
    {
        options.Validate();
        var full = Path.GetFullPath(dataDir);
        if (IsComplete(full, options)) return full;
        Directory.CreateDirectory(Path.GetDirectoryName(full) ?? full);
        // One generator at a time: a lock file beside the folder (two examples started together must not both write).
        using var gate = AcquireGenerationLock(full + ".lock");
        if (IsComplete(full, options)) return full;
        if (Directory.Exists(full) && Directory.EnumerateFileSystemEntries(full).Any())
        {
            if (!IsDemo(full)) throw new NiSharpException(full, "exists and is not a NiSharp demo dataset; choose another folder");
            Directory.Delete(full, recursive: true);
        }
        log?.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"generating the demo dataset ({options.Subjects} subjects, {options.Volumes} volumes, {options.VoxelSize} mm) in {full} ..."));
        Generate(full, options);
        return full;
    }

    private static FileStream AcquireGenerationLock(string path)
    {
        var deadline = DateTime.UtcNow.AddMinutes(10);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(250);
            }
        }
    }

    /// <summary>Whether <paramref name="dataDir"/> already holds a complete demo generated with <paramref name="options"/>
    /// (same parameters recorded in its <c>dataset_description.json</c>, every BOLD run present).</summary>
    public static bool IsComplete(string dataDir, DemoOptions options)
    {
        var desc = Path.Combine(dataDir, "dataset_description.json");
        var participants = Path.Combine(dataDir, "participants.tsv");
        if (!File.Exists(desc) || !File.Exists(participants)) return false;
        try
        {
            // The demo's own files (it may rewrite them): not recorded as inputs of the command.
            var json = JsonNode.Parse(InputFile.ReadAllText(desc, InputFile.MaxJsonBytes, "a dataset description", asInput: false)) as JsonObject;
            if (json?[DescriptionKey]?.ToJsonString() != Parameters(options).ToJsonString()) return false;
            var ids = TsvTable.ReadOwnOutput(participants).GetStrings("participant_id");
            return ids.Length == options.Subjects && ids.All(id =>
                File.Exists(Path.Combine(dataDir, DemoSubject.FuncPrefix(SubjectLabel.Strip(id)) + "_desc-confounds_timeseries.json")) &&
                File.Exists(Path.Combine(dataDir, DemoSubject.FuncPrefix(SubjectLabel.Strip(id)) + $"_space-{Space}_desc-brain_mask.json")) &&
                (!options.Anatomical || DemoAnat.IsComplete(dataDir, SubjectLabel.Strip(id))) &&
                (!options.Cifti || DemoCifti.IsComplete(Path.Combine(dataDir, DemoSubject.FuncPrefix(SubjectLabel.Strip(id))))) &&
                (!options.T1wSpaceSubjects.Contains(SubjectLabel.Strip(id)) || File.Exists(Path.Combine(dataDir, DemoSubject.FuncPrefix(SubjectLabel.Strip(id)) + "_space-T1w_desc-brain_mask.json"))));
        }
        catch (Exception e) when (e is JsonException or NiSharpException or IOException)
        {
            return false;
        }
    }

    /// <summary>Whether <paramref name="dataDir"/> was written by the demo (so that replacing its files is safe).</summary>
    public static bool IsDemo(string dataDir)
    {
        var desc = Path.Combine(dataDir, "dataset_description.json");
        if (!File.Exists(desc)) return false;
        try { return (JsonNode.Parse(InputFile.ReadAllText(desc, InputFile.MaxJsonBytes, "a dataset description", asInput: false)) as JsonObject)?.ContainsKey(DescriptionKey) == true; }
        catch (Exception e) when (e is JsonException or NiSharpException) { return false; }
    }

    /// <summary>The ids and traits of the cohort: controls first (1xxxx), then patients (5xxxx), each sorted.</summary>
    private static List<(string Id, bool Patient, int Age, string Sex, double Severity)> Cohort(DemoOptions o)
    {
        var rng = new DemoRandom(o.Seed, stream: -3);
        if (o.SubjectIds is { } given)
        {
            // Explicit labels (the lesson's): the group is the first digit, as in ds000030.
            var explicitList = new List<(string, bool, int, string, double)>();
            foreach (var id in given.Where(i => i[0] == '1').Order(StringComparer.Ordinal).Concat(given.Where(i => i[0] == '5').Order(StringComparer.Ordinal)))
            {
                bool patient = id[0] == '5';
                var own = new DemoRandom(o.Seed, stream: -ExplicitStream(id));
                int age = 21 + own.Next(30);
                string sex = own.NextDouble() < 0.5 ? "F" : "M";
                double severity = o.MotionSeverity * Math.Exp(0.5 * own.Gaussian()) * (patient ? o.PatientMotionFactor : 1);
                explicitList.Add((id, patient, age, sex, severity));
            }
            return explicitList;
        }
        int controls = (o.Subjects + 1) / 2, patients = o.Subjects - controls;
        List<int> Draw(int start, int count)
        {
            var pool = Enumerable.Range(start, 2000).ToArray();
            for (int i = pool.Length - 1; i > 0; i--)
            {
                int j = rng.Next(i + 1);
                (pool[i], pool[j]) = (pool[j], pool[i]);
            }
            return pool.Take(count).Order().ToList();
        }
        var list = new List<(string, bool, int, string, double)>();
        foreach (var (ids, patient) in new[] { (Draw(10000, controls), false), (Draw(50000, patients), true) })
            foreach (var id in ids)
            {
                int age = 21 + rng.Next(30);
                string sex = rng.NextDouble() < 0.5 ? "F" : "M";
                double severity = o.MotionSeverity * Math.Exp(0.5 * rng.Gaussian()) * (patient ? o.PatientMotionFactor : 1);
                list.Add((id.ToString(CultureInfo.InvariantCulture), patient, age, sex, severity));
            }
        return list;
    }

    /// <summary>The random stream of an explicitly named subject (kept clear of the drawn cohorts' 0, 1, 2, …).</summary>
    private static int ExplicitStream(string id) => 1_000_000 + (int)(long.Parse(id, CultureInfo.InvariantCulture) % 1_000_000_000);

    private static void WriteParticipants(string dir, IReadOnlyList<DemoParticipant> people)
    {
        var sb = new StringBuilder("participant_id\tdiagnosis\tage\tsex\n");
        foreach (var p in people) sb.Append($"sub-{p.Id}\t{p.Diagnosis}\t{p.Age}\t{p.Sex}\n");
        AtomicFile.WriteAllText(Path.Combine(dir, "participants.tsv"), sb.ToString());
        var columns = new JsonObject
        {
            ["participant_id"] = new JsonObject { ["Description"] = "Participant label" },
            ["diagnosis"] = new JsonObject
            {
                ["Description"] = "Diagnosis group, as in ds000030",
                ["Levels"] = new JsonObject { [ControlDiagnosis] = "healthy control", [PatientDiagnosis] = "schizophrenia" },
            },
            ["age"] = new JsonObject { ["Description"] = "Age", ["Units"] = "years" },
            ["sex"] = new JsonObject { ["Description"] = "Sex", ["Levels"] = new JsonObject { ["F"] = "female", ["M"] = "male" } },
        };
        AtomicFile.WriteAllText(Path.Combine(dir, "participants.json"), columns.ToJsonString(Indented) + "\n");
    }

    private static JsonObject Parameters(DemoOptions o)
    {
        var p = VolumeParameters(o);
        // recorded only when asked for, so that the default demo's description stays as it was
        if (o.Cifti) p["Cifti"] = true;
        return p;
    }

    private static JsonObject VolumeParameters(DemoOptions o) => new()
    {
        ["Seed"] = o.Seed,
        ["Subjects"] = o.Subjects,
        ["VoxelSize"] = o.VoxelSize,
        ["Volumes"] = o.Volumes,
        ["RepetitionTime"] = o.RepetitionTime,
        ["NonSteadyStateVolumes"] = o.NonSteadyStateVolumes,
        ["ControlDmnCorrelation"] = o.ControlDmnCorrelation,
        ["PatientDmnCorrelation"] = o.PatientDmnCorrelation,
        ["MotionSeverity"] = o.MotionSeverity,
        ["PatientMotionFactor"] = o.PatientMotionFactor,
        ["SubjectIds"] = o.SubjectIds is null ? null : new JsonArray(o.SubjectIds.Select(i => (JsonNode?)i).ToArray()),
        ["Anatomical"] = o.Anatomical,
        ["T1wSpaceSubjects"] = new JsonArray(o.T1wSpaceSubjects.Select(i => (JsonNode?)i).ToArray()),
        ["MotionArtifacts"] = o.MotionArtifacts,
        ["Generator"] = GeneratorVersion,
    };

    /// <summary>Bumped whenever the signal model or the files change, so that an old demo folder is regenerated
    /// (2: <c>anat/</c> folders, explicit ids, T1w-space runs; 3: motion that matters).</summary>
    private const int GeneratorVersion = 3;

    private static void WriteDescription(string dir, DemoOptions o)
    {
        var json = new JsonObject
        {
            ["Name"] = "NiSharp demo: fMRIPrep-style derivatives in the image of ds000030 (synthetic)",
            ["BIDSVersion"] = "1.8.0",
            ["DatasetType"] = "derivative",
            ["GeneratedBy"] = new JsonArray(new JsonObject
            {
                ["Name"] = "NiSharp demo",
                ["Version"] = typeof(DemoDataset).Assembly.GetName().Version?.ToString(),
                ["Description"] = "Synthetic resting-state runs with a planted connectome (not real participants), laid out as fMRIPrep 21 writes them",
            }),
            ["License"] = "CC0",
            [DescriptionKey] = Parameters(o),
        };
        AtomicFile.WriteAllText(Path.Combine(dir, "dataset_description.json"), json.ToJsonString(Indented) + "\n");
    }

    /// <summary>
    /// Writes what was planted into <paramref name="dir"/>: <c>planted_control_relmat.tsv</c> and
    /// <c>planted_patient_relmat.tsv</c> (regions named <c>label_N</c>) and <c>participants_motion.tsv</c>.
    /// </summary>
    public void WriteTruth(string dir)
    {
        Directory.CreateDirectory(dir);
        var regions = Planted.Labels.Select(l => new Region(Region.DefaultName(l), l)).ToArray();
        var meta = new JsonObject { ["Description"] = "Planted correlations of the region latent series (the demo's ground truth)" };
        new ConnectivityMatrix(regions, Planted.Control).Write(Path.Combine(dir, "planted_control_relmat.tsv"), meta);
        new ConnectivityMatrix(regions, Planted.Patient).Write(Path.Combine(dir, "planted_patient_relmat.tsv"), meta);
        var sb = new StringBuilder("participant_id\tdiagnosis\tmotion_severity\tmean_framewise_displacement\n");
        foreach (var p in Participants)
            sb.Append(string.Create(CultureInfo.InvariantCulture, $"sub-{p.Id}\t{p.Diagnosis}\t{p.MotionSeverity:0.####}\t{p.MeanFramewiseDisplacement:0.####}\n"));
        AtomicFile.WriteAllText(Path.Combine(dir, "participants_motion.tsv"), sb.ToString());
    }

    /// <summary>The planted matrix of one participant's group.</summary>
    public Matrix<double> PlantedFor(DemoParticipant participant) => Planted.For(participant.IsPatient);

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
}
