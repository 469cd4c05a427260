import { kernelConfig } from '../../vitest.shared.ts';

export default kernelConfig();
