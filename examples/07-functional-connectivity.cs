// Episode 7, "Functional Connectivity Analysis", in C#: dotnet run examples/07-functional-connectivity.cs [-- --full]
#:project ../src/NiSharp/NiSharp.csproj
using NiSharp.Atlases;
using NiSharp.Bids;
using NiSharp.Confounds;
using NiSharp.Connectome;
using NiSharp.Imaging;
using NiSharp.Maskers;
using NiSharp.Nifti;
using NiSharp.Pipeline;
using NiSharp.Plotting;
using NiSharp.Signal;

var lesson = LessonExample.Start(args);
var layout = BidsLayout.Index(lesson.FmriprepDir);
const string Mni = "MNI152NLin2009cAsym";
var funcFiles = layout.Get(datatype: "func", task: "rest", desc: "preproc", space: Mni, extension: "nii.gz");
var maskFiles = layout.Get(datatype: "func", task: "rest", desc: "brain", suffix: "mask", space: Mni, extension: "nii.gz");
var confoundFiles = layout.Get(datatype: "func", task: "rest", desc: "confounds", extension: "tsv");

// The separated parcellation written by episode 6 (else the bundled copy of the lesson's file).
var parcelFile = Path.Combine(lesson.OutputDir, "../06-parcellation/relabeled_yeo_atlas.nii.gz");
var yeo7 = Atlas.Load(File.Exists(parcelFile) ? parcelFile : "yeo7-relabeled");

// NiftiLabelsMasker(labels_img=yeo_7, standardize=True, detrend=True, low_pass=0.08, high_pass=0.009, t_r=2)
var masker = new LabelsMasker(new LabelsMaskerOptions
{
    Atlas = yeo7,
    Clean = MaskerOptions.DefaultCleaning with { Standardize = StandardizeMethod.ZScoreSample, Detrend = true, LowPass = 0.08, HighPass = 0.009, RepetitionTime = 2 },
});

// The lesson's extract_confounds(confound_tsv, confounds, dt=True), and 4 dummy TRs dropped from image and confounds.
string[] confoundVariables = ["trans_x", "trans_y", "trans_z", "rot_x", "rot_y", "rot_z", "global_signal", "white_matter", "csf"];
SignalMatrix<double> ExtractConfounds(string tsv, string[] names) => FmriprepConfounds.Load(tsv).Extract(names, derivatives: true);
const int TrDrop = 4;
var funcImg = Image.Load(funcFiles[0]).Slicer[.., .., .., TrDrop..];
var confounds = ExtractConfounds(confoundFiles[0], confoundVariables)[TrDrop..];

// Cleaning, parcellation and averaging in one step.
var cleanedAndAveragedTimeSeries = masker.FitTransform(funcImg, confounds);
Console.WriteLine($"time series shape {cleanedAndAveragedTimeSeries.ShapeText()}: one column per atlas label, by label id");
var labelsKept = cleanedAndAveragedTimeSeries.ExtractedLabels;   // masker.labels_ (nilearn ≤ 0.11; 0.12+ also lists the background 0: LabelsWithBackground)
Console.WriteLine($"masker.labels_ [{string.Join(", ", labelsKept)}]\nNumber of labels {labelsKept.Length}");
Console.WriteLine($"labels in the atlas (np.unique, with background 0): {yeo7.LabelsPresent.Count + 1}");
Console.WriteLine($"empty regions, kept as NaN columns: [{string.Join(", ", cleanedAndAveragedTimeSeries.LabelIds.Except(labelsKept))}]");
// nilearn drops the empty regions; its columns are exactly the kept ones (np.array_equal(valid_regions_signal, ...)).
var nilearnColumns = new LabelsMasker(masker.Options with { KeepEmpty = KeepEmpty.Drop }).FitTransform(funcImg, confounds);
Console.WriteLine($"nilearn's output {nilearnColumns.ShapeText()} equals the kept columns: " + labelsKept.All(l =>
    nilearnColumns.Values.Column(nilearnColumns.ColumnOf(l)).SequenceEqual(cleanedAndAveragedTimeSeries.Values.Column(cleanedAndAveragedTimeSeries.ColumnOf(l)))));

// ConnectivityMeasure(kind='correlation'), on a list of subjects.
var correlationMeasure = new ConnectivityMeasure(ConnectivityKind.Correlation);
var fullCorrelationMatrix = correlationMeasure.FitTransform([cleanedAndAveragedTimeSeries.ToTimeSeries()]);
Console.WriteLine($"full_correlation_matrix.shape ({fullCorrelationMatrix.Length}, {fullCorrelationMatrix[0].ShapeText()[1..]}");
Console.WriteLine($"correlation between ROIs 44 and 46: {fullCorrelationMatrix[0].Between(44, 46):0.########} (46 and 44: {fullCorrelationMatrix[0].Between(46, 44):0.########})");

// Exercise: every subject; controls are 1xxxx, schizophrenia patients 5xxxx.
var groups = new Dictionary<string, List<(string Subject, RegionSignals Signals)>> { ["control"] = [], ["schizophrenia"] = [] };
foreach (var sub in layout.GetSubjects())
{
    var funcFile = layout.Get(subject: sub, datatype: "func", task: "rest", desc: "preproc", space: Mni, extension: "nii.gz")[0];
    var confoundFile = layout.Get(subject: sub, datatype: "func", task: "rest", desc: "confounds", extension: "tsv")[0];
    var timeSeries = masker.FitTransform(Image.Load(funcFile).Slicer[.., .., .., TrDrop..], ExtractConfounds(confoundFile, confoundVariables)[TrDrop..]);
    groups[sub.StartsWith('1') ? "control" : "schizophrenia"].Add((sub, timeSeries));
}
var ctrlCorrelationMatrices = correlationMeasure.FitTransform(groups["control"].Select(s => s.Signals.ToTimeSeries()).ToArray());
var schzCorrelationMatrices = correlationMeasure.FitTransform(groups["schizophrenia"].Select(s => s.Signals.ToTimeSeries()).ToArray());

// Heatmaps of the first control (sns.heatmap): empty regions are grey NaN rows and columns, not zeros.
MatrixPlot.Connectivity(ctrlCorrelationMatrices[0]).Save(lesson.Output("heatmap.png"));
MatrixPlot.Connectivity(ctrlCorrelationMatrices[0].Values.PointwiseAbs(), ctrlCorrelationMatrices[0].Names, new() { ColorMap = ColorMap.Viridis, VMin = 0 })
    .Save(lesson.Output("heatmap_show_zeroes.png"));
Console.WriteLine($"ctrl_correlation_matrices.shape ({ctrlCorrelationMatrices.Length}, {ctrlCorrelationMatrices[0].ShapeText()[1..]}");

// The DMN edge 44–46 per subject, as a table (pd.DataFrame) and a box + swarm plot.
var df = groups.SelectMany(g => g.Value.Zip(g.Key == "control" ? ctrlCorrelationMatrices : schzCorrelationMatrices,
    (s, m) => new GroupValue(g.Key, m.Between(44, 46), s.Subject))).ToList();
Console.WriteLine("   subject   dmn_corr  group");
foreach (var row in df) Console.WriteLine($"  {row.Subject}  {row.Value,9:0.000000}  {row.Group}");
GroupPlot.BoxSwarm(df, new() { Title = "DMN Intra-network Connectivity", YLabel = "Intra-network connectivity (Pearson r)", Width = 500, Height = 500 })
    .Save(lesson.Output("group_compare.png"));
