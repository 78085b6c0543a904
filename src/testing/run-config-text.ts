/** run.cfg text both the parser and the writer tests use: what the writer appends must read back as Python reads it. */
export const COMMENTED = '# run configurations\n[dev]\n; dev image\nvolumes = -v a:b\n    -v c:d\n  # trailing comment\n';
export const APPENDED_VALUES: [string, string][] = [
  ['name', 'jupyter/scipy-notebook'],
  ['environment', '-e A=1 -e B=50%'],
  ['args', '--rm ; keep # too'],
  ['volumes', '-v a:b\n-v c:d\n\n-v e:f'],
  ['cmd', ''],
  ['ports', '\n-p 80:80'],
];
