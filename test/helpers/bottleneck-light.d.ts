/** bottleneck/light.js (what Octokit's plugins load) has bottleneck's API but no typings of its own. */
declare module 'bottleneck/light.js' {
  import Bottleneck from 'bottleneck';
  export default Bottleneck;
}
