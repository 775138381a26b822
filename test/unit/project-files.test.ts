import path from 'node:path';
import { PROJECT_ROOT, localDataDir } from '../../scripts/local/project-files';

describe('localDataDir', () => {
  const saved = process.env.LOCAL_DATA_DIR;
  afterEach(() => {
    if (saved === undefined) delete process.env.LOCAL_DATA_DIR;
    else process.env.LOCAL_DATA_DIR = saved;
  });

  it('is .local/ when LOCAL_DATA_DIR is unset or empty, never the project root itself', () => {
    delete process.env.LOCAL_DATA_DIR;
    expect(localDataDir()).toBe(path.join(PROJECT_ROOT, '.local'));
    process.env.LOCAL_DATA_DIR = '';
    expect(localDataDir()).toBe(path.join(PROJECT_ROOT, '.local'));
  });

  it('takes a relative LOCAL_DATA_DIR from the project root and an absolute one as it is', () => {
    process.env.LOCAL_DATA_DIR = 'data/here';
    expect(localDataDir()).toBe(path.join(PROJECT_ROOT, 'data', 'here'));
    process.env.LOCAL_DATA_DIR = '/srv/spotify';
    expect(localDataDir()).toBe('/srv/spotify');
  });
});
