// Episode 5, "Cleaning Confounders in your Data with Nilearn", in C#: dotnet run examples/05-cleaning-confounds.cs
#:project ../src/NiSharp/NiSharp.csproj
using NiSharp.Bids;
using NiSharp.Confounds;
using NiSharp.Imaging;
using NiSharp.Nifti;
using NiSharp.Pipeline;
using NiSharp.Plotting;
using NiSharp.Signal;

var lesson = LessonExample.Start(args);
var sub = "10788";
var layout = BidsLayout.Index(lesson.FmriprepDir);
var funcFiles = layout.Get(subject: sub, datatype: "func", task: "rest", desc: "preproc", space: "MNI152NLin2009cAsym", extension: "nii.gz");
var maskFiles = layout.Get(subject: sub, datatype: "func", task: "rest", desc: "brain", suffix: "mask", space: "MNI152NLin2009cAsym", extension: "nii.gz");
var confoundFiles = layout.Get(subject: sub, datatype: "func", task: "rest", desc: "confounds", extension: "tsv");
var (funcFile, maskFile, confoundFile) = (funcFiles[0], maskFiles[0], confoundFiles[0]);

// The confounds table (pd.read_csv(confound_file, delimiter='\t')).
var confoundDf = FmriprepConfounds.Load(confoundFile);
Console.WriteLine($"Read {confoundDf.Columns.Count} confounder items, each {confoundDf.RowCount} TRs.");

// The Yeo 2011 set: 9 base regressors and their temporal derivatives = 18 columns.
string[] confoundVars = ["trans_x", "trans_y", "trans_z", "rot_x", "rot_y", "rot_z", "global_signal", "csf", "white_matter"];
var derivativeColumns = confoundVars.Select(c => $"{c}_derivative1").ToArray();
Console.WriteLine(string.Join(", ", derivativeColumns));
string[] finalConfounds = [.. confoundVars, .. derivativeColumns];
var selected = confoundDf.Extract(finalConfounds);   // confound_df[final_confounds]
Console.WriteLine(selected.Head(finalConfounds));     // the NaN in the first row of each derivative

// Dummy TR drop: the first 4 volumes of the image and rows of the confounds.
var rawFuncImg = Image.Load(funcFile);
Console.WriteLine($"raw_func_img.shape {rawFuncImg.ShapeText()}");
var funcImg = rawFuncImg.Slicer[.., .., .., 4..];
Console.WriteLine($"func_img.shape {funcImg.ShapeText()}");
var confoundsMatrix = selected[4..];   // confound_df.loc[4:].values
Console.WriteLine($"drop_confound_df.shape {confoundsMatrix.ShapeText()}");
Console.WriteLine(confoundsMatrix.Head(finalConfounds, firstRowIndex: 4));

// nilearn.image.clean_img(func_img, confounds, detrend=True, standardize=True, low_pass=0.08, high_pass=0.009, t_r=2, mask_img)
var cleanOptions = new CleanOptions { Detrend = true, Standardize = StandardizeMethod.ZScoreSample, LowPass = 0.08, HighPass = 0.009, RepetitionTime = 2 };
var mask = Image.Load(maskFile);
var cleanImg = ImageCleaner.Clean(funcImg, cleanOptions, mask, confoundsMatrix);
BrainPlot.Epi(cleanImg.Slicer[.., .., .., 50]).Save(lesson.Output("clean_img_vol50.png"));
TimeSeriesPlot.Carpet(funcImg, mask, new() { Title = "before cleaning", RepetitionTime = 2 }).Save(lesson.Output("carpet_before.png"));
TimeSeriesPlot.Carpet(cleanImg, mask, new() { Title = "after cleaning", RepetitionTime = 2 }).Save(lesson.Output("carpet_after.png"));

// (Optional) Method 2: nilearn.signal.clean on the brain voxels (time × voxels), then back into an image.
var maskImg = Masking.LoadMask(maskFile);
var signals = SignalMatrix<float>.From(Masking.ApplyMask(funcImg, maskImg));   // signals[:, brain_voxels]
Console.WriteLine($"signals[:, brain_voxels].shape {signals.ShapeText()}");
var cleanedSignals = SignalCleaner.Clean(signals, cleanOptions, confoundsMatrix);
var signalsCleanedImg = Masking.Unmask(cleanedSignals.ToArray(), maskImg);
BrainPlot.Epi(signalsCleanedImg.Slicer[.., .., .., 50]).Save(lesson.Output("signals_cleaned_img_vol50.png"));
var largest = cleanImg.Data.Zip(signalsCleanedImg.Data, (a, b) => Math.Abs(a - b)).Max();
Console.WriteLine($"clean_img and signal.clean agree: largest difference {largest:g3}");
